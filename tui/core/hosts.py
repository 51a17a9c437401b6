"""Which hosts are this machine: plain http is allowed to them alone (the key never crosses a
network in clear), wherever a URL is judged (the config, the first page's quick read, the feed)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost` (and `*.localhost`) or a loopback address, IPv4 or IPv6 (bracketed or not)."""
    host = (host or "").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


__all__ = ["is_loopback"]
