"""Widgets of the app (UI layer)."""
