"""`switchboard config`: where the config file is, what it says (keys masked), or a starter."""

from __future__ import annotations

import argparse

from tui.cli_common import EXIT_OK, UsageError, _out


def cmd_config(args: argparse.Namespace) -> int:
    import tomli_w

    from tui.core.config import load_config, masked, save_config, starter_config
    from tui.core.paths import config_path

    path = config_path()
    if args.action == "path":
        _out(str(path))
        return EXIT_OK
    if args.action == "show":
        config = load_config(path)
        if not path.exists():
            _out(f"# {path} does not exist; the built-in sandbox profile is used.")
        _out(tomli_w.dumps(masked(config)).rstrip())
        return EXIT_OK
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it.")
    save_config(starter_config(), path)
    _out(f"Wrote {path}; edit profiles.acme and set default_profile to use a real account.")
    return EXIT_OK
