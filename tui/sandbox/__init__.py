"""The embedded sandbox backend: the AchieveApex API contract served on loopback.

A Starlette app on uvicorn with SQLite persistence, seeded with conversations on every channel.
Imported only when a sandbox profile or `switchboard sandbox` is used; never imports Textual.
"""
