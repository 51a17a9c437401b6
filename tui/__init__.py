"""Switchboard: a keyboard-first terminal inbox for AchieveApex.

Kept import-free on purpose: the CLI and the first frame must not pay for what they do not use.
"""

__version__ = "0.1.0"
