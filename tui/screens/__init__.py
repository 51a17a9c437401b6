"""Screens of the app (UI layer)."""
