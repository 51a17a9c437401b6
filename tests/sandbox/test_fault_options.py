"""One table of fault options drives the `switchboard sandbox` flags, their parsing and the
keyword options: a flag and its keyword option give the same `Faults`."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import pytest

from tui.sandbox.fault_options import FIELDS, OPTIONS, options_from
from tui.sandbox.faults import Faults, merge_options
from tui.sandbox_cli import add_sandbox_parser

# option: (the flag's text, or None for a switch; the keyword option's value)
SAMPLES: dict[str, tuple[str | None, Any]] = {
    "latency_ms": ("20-80", (20.0, 80.0)),
    "fail_rate": ("30%", 0.3),
    "fail_status": ("503,429", (503, 429)),
    "drop_before": ("0.1", 0.1),
    "drop_after": ("0.2", 0.2),
    "drop_style": ("reset", "reset"),
    "rate_limit": ("60/min", (60, 60.0)),
    "retry_after": ("2.5", 2.5),
    "trickle_bytes_per_s": ("50", 50.0),
    "hostile_ids": (None, True),
    "odd_bodies": ("nested", "nested"),
    "echo_key_errors": (None, True),
    "media_links": ("dots", "dots"),
    "media_short": (None, True),
    "media_trickle_bytes_per_s": ("200", 200.0),
    "bad_template": (None, True),
    "huge_template": ("100/2", (100, 2)),
    "fault_methods": ("POST,PUT", ("POST", "PUT")),
    "fault_paths": ("/a/*,/b", ("/a/*", "/b")),
    "fault_seed": ("7", 7),
}


def sandbox_parser(parents: list[argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard")
    add_sandbox_parser(parser.add_subparsers(dest="command"), parents=parents)
    return parser


def test_the_table_covers_every_field_once() -> None:
    assert sorted(FIELDS.values()) == sorted(f.name for f in dataclasses.fields(Faults))
    assert len({o.flag for o in OPTIONS}) == len(OPTIONS) == len(SAMPLES)
    assert set(SAMPLES) == {o.option for o in OPTIONS}


def test_flags_and_keyword_options_give_the_same_faults() -> None:
    argv = ["sandbox"]
    for o in OPTIONS:
        text = SAMPLES[o.option][0]
        argv += [o.flag] if text is None else [o.flag, text]
    args = sandbox_parser().parse_args(argv)
    from_flags = options_from(args)
    assert from_flags == {name: value for name, (_, value) in SAMPLES.items()}
    keywords = {name: value for name, (_, value) in SAMPLES.items()}
    assert merge_options(None, dict(from_flags)) == merge_options(None, keywords)
    assert keywords == {}  # merge_options took every one of them


def test_no_flag_means_no_faults() -> None:
    assert options_from(sandbox_parser().parse_args(["sandbox"])) == {}
    assert merge_options(None, {}) is None


def test_a_bad_value_names_its_flag() -> None:
    args = sandbox_parser().parse_args(["sandbox", "--trickle", "0"])
    with pytest.raises(ValueError, match=r"^--trickle: "):
        options_from(args)
    with pytest.raises(SystemExit):  # choices are argparse's
        sandbox_parser().parse_args(["sandbox", "--odd-bodies", "weird"])


def test_every_flag_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        sandbox_parser().parse_args(["sandbox", "--help"])
    help_text = capsys.readouterr().out
    for o in OPTIONS:
        assert o.flag in help_text and o.help.replace("%%", "%")[:30] in " ".join(help_text.split())


def test_parents_give_the_shared_options() -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", default=argparse.SUPPRESS)
    args = sandbox_parser([common]).parse_args(["sandbox", "--profile", "work", "--port", "0"])
    assert args.profile == "work" and args.port == 0
