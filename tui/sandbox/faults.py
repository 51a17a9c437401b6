"""Faults on demand: what the sandbox can do wrong, so clients can be tested on real loopback HTTP.

`Faults` says what to inject; `tui.sandbox.injector.FaultInjector` injects it (an ASGI middleware
around the app, with a uvicorn protocol that reaches each request's TCP connection). Nothing is
installed unless faults are asked for, so without them the sandbox answers byte for byte as before.
Each option is a keyword of `start_in_thread` / `set_faults` and a `switchboard sandbox` flag,
all from the one table `tui.sandbox.fault_options.OPTIONS`.

What each fault does, on the requests it applies to (`fault_methods` / `fault_paths`):

- `latency_ms` (`--latency`): the request waits that long (a value, or a `(low, high)` range).
- `fail_rate` (`--fail-rate`) with `fail_status` (`--fail-status`): that share is answered with
  one of those codes, unhandled (nothing stored): a Feathers error, S3-style XML on `/_storage/`;
  429 and 503 carry `retryAfter` / `Retry-After` = `retry_after` (`--retry-after`).
- `drop_before` / `drop_after` (`--drop-before` / `--drop-after`) with `drop_style`
  (`--drop-style close|reset`): the connection goes without an answer, before the app runs
  (nothing stored) or after (stored, the client never learns it).
- `rate_limit` (`--rate-limit N/WINDOW`): a sliding window; past it, the contract's 429.
- `trickle_bytes_per_s` (`--trickle RATE`): the status line and headers go at once, then the
  body in pieces of RATE/10 bytes (at least 1), one every piece/RATE seconds (0.1 s from 10
  bytes/s up), so a client whose timeout is per read never times out. When the client goes or
  the sandbox stops, the rest goes at once.
- `hostile_ids` (`--hostile-ids`): in JSON answers, the `_id` or `id` of a created record (any 201) and
  every `first_name`, `last_name`, `sender_name`, `name`, `file_name`, `status` and `message`
  string, and each value of a Feathers error's `errors`, become `HOSTILE_PREFIX + value +
  HOSTILE_SUFFIX`: an OSC 52 clipboard write, a CSI colour, a C1 CSI (U+009B), DEL and a bidi
  override (U+202E). The id becomes a string: for message 1234, ESC "]52;c;ZXZpbA==" BEL ESC
  "[31m" "1234" U+009B "0m" DEL U+202E.
- `odd_bodies` (`--odd-bodies`): `"nested"` adds to every JSON object answer a last field
  `"nested"` holding an array nested `NESTED_DEPTH` (100,000) levels deep (any other JSON answer is
  replaced by that array); `"range"` sets every timestamp field (`*_at`, `createdAt`), in document
  order, to the number 1e300 and the string "9999-12-31T23:59:59.999Z" in turn (the first 1e300).
- `echo_key_errors` (`--echo-key-errors`): every 4xx JSON error (the app's, or an injected one)
  gains `errors["key=<KEY>"] = "echoes the API key"` and `data["echo"] = {"request": {"headers":
  {"x-api-key": <KEY>}}}`, KEY being the key the request carried (x-api-key or Bearer); a
  request without one is answered unchanged.
- `media_links` (`--media-links userinfo|dots`): in message answers (`/conversation-messages-*`),
  each file's link turns hostile: `userinfo` gives `media_url` (built from the public media URL
  and `s3_key` when absent) the credentials `LINK_USERINFO@` (a client that sends them as Basic
  auth is refused 400 by the media route); `dots` gives `s3_key` `..` segments
  (`org-1/../../conversation-1/...`) and drops `media_url`, so the key is what a client uses.
- `media_short` (`--media-short`) and `media_trickle_bytes_per_s` (`--media-trickle RATE`): the
  public media URL's file is cut off after half its bytes (the whole `Content-Length` announced,
  then the connection closed), or sent at RATE bytes/s; `tui.sandbox.media_faults` says how. They
  apply to every media GET, whatever `fault_paths` and `fault_methods` say.
- `bad_template` (`--bad-template`) and `huge_template` (`--huge-template N` or `VARS/BUTTONS`):
  the template list (`/message-templates`) also holds `broken_template`, whose `components` is an
  object instead of a list, and `huge_template`, with a one-variable text header, VARS body
  variables and BUTTONS URL buttons with a variable each; `tui.sandbox.template_faults` says how.
  They change what the sandbox holds (listed, filtered and paged as the seed's templates, and
  checked on a send), never what is stored, and apply whatever `fault_paths` and
  `fault_methods` say.

Which outcome a request gets is one draw of a seeded `random.Random`: below `drop_before` it is
dropped before, then `fail_rate` fails it, then `drop_after` drops it after; the rest pass. So the
rates are shares of the requests faults apply to, and must add up to at most 1. The answer faults
(trickle, hostile, odd, echo) apply to every answer that is sent, injected ones included.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from tui.sandbox.fault_options import (
    DROP_STYLES,
    FIELDS,
    HUGE_TEMPLATE_MAX,
    MEDIA_LINKS,
    ODD_BODIES,
    parse_latency,
    parse_list,
    parse_rate_limit,
    parse_share,
    parse_statuses,
)

__all__ = [
    "HOSTILE_PREFIX",
    "HOSTILE_SUFFIX",
    "NESTED_DEPTH",
    "Faults",
    "merge_options",
    "parse_latency",
    "parse_list",
    "parse_rate_limit",
    "parse_share",
    "parse_statuses",
]

DEFAULT_FAIL_STATUS = (500, 503, 429)
# Outside `paths`, faults spare the public media URL (a CDN, not the API) and the live updates'
# transport (Socket.IO's long-polls are not API requests; `fault_paths` may still name them).
SPARED_BY_DEFAULT = ("/media/*", "/socket.io/*")
# What `hostile_ids` wraps around a value: OSC 52 clipboard write, CSI red, C1 CSI, DEL, RLO.
HOSTILE_PREFIX = "\x1b]52;c;ZXZpbA==\x07\x1b[31m"
HOSTILE_SUFFIX = "\x9b0m\x7f\u202e"
NESTED_DEPTH = 100_000
# The credentials `media_links="userinfo"` puts in each file's link.
LINK_USERINFO = "sandbox:leaked-secret"
FAR_DATE = "9999-12-31T23:59:59.999Z"
HUGE_TIME = 1e300


@dataclass(frozen=True)
class Faults:
    """What to inject (see the module's docstring for each). Rates are shares in [0, 1]; latency
    is milliseconds, a fixed value or a `(low, high)` range; `rate_limit` is `(requests,
    window_seconds)`; `retry_after` is the seconds an injected 429 or 503 asks the client to
    wait. `methods` and `paths` (shell-style globs, `*` crosses `/`) restrict every fault, the
    rate limit and the answer faults included, to matching requests; by default all requests but
    the public media URL are subject."""

    latency_ms: float | tuple[float, float] = 0.0
    fail_rate: float = 0.0
    fail_status: tuple[int, ...] = DEFAULT_FAIL_STATUS
    drop_before: float = 0.0
    drop_after: float = 0.0
    drop_style: str = "close"
    rate_limit: tuple[int, float] | None = None
    retry_after: float = 1.0
    trickle_bytes_per_s: float | None = None
    hostile_ids: bool = False
    odd_bodies: str | None = None
    echo_key_errors: bool = False
    media_short: bool = False
    media_trickle_bytes_per_s: float | None = None
    media_links: str | None = None
    bad_template: bool = False
    huge_template: tuple[int, int] | None = None
    methods: frozenset[str] | None = None
    paths: tuple[str, ...] | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        latency = self.latency_ms
        low, high = (latency, latency) if isinstance(latency, int | float) else tuple(latency)
        if not (0 <= low <= high) or not math.isfinite(high):
            raise ValueError(f"latency must be 0 or more milliseconds, low before high (got {latency!r})")
        object.__setattr__(self, "latency_ms", (float(low), float(high)))
        for name in ("fail_rate", "drop_before", "drop_after"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1 (got {value!r})")
        if self.fail_rate + self.drop_before + self.drop_after > 1 + 1e-9:
            raise ValueError("fail_rate, drop_before and drop_after together must not exceed 1")
        codes = tuple(int(c) for c in self.fail_status)
        if not codes or any(not 400 <= c <= 599 for c in codes):
            raise ValueError(f"fail_status must be HTTP error codes 400-599 (got {self.fail_status!r})")
        object.__setattr__(self, "fail_status", codes)
        if self.drop_style not in DROP_STYLES:
            raise ValueError(f"drop_style must be close or reset (got {self.drop_style!r})")
        if self.rate_limit is not None:
            count, window = self.rate_limit
            if int(count) < 1 or not 0 < float(window) < math.inf:
                raise ValueError(
                    f"rate_limit must be (requests >= 1, window > 0 s) (got {self.rate_limit!r})"
                )
            object.__setattr__(self, "rate_limit", (int(count), float(window)))
        if not 0 <= self.retry_after < math.inf:
            raise ValueError(f"retry_after must be 0 or more seconds (got {self.retry_after!r})")
        rate = self.trickle_bytes_per_s
        if rate is not None and (not isinstance(rate, int | float) or not 0 < rate < math.inf):
            raise ValueError(f"trickle_bytes_per_s must be more than 0 bytes per second (got {rate!r})")
        if self.odd_bodies is not None and self.odd_bodies not in ODD_BODIES:
            raise ValueError(f"odd_bodies must be nested or range (got {self.odd_bodies!r})")
        for name in ("hostile_ids", "echo_key_errors", "media_short"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False (got {getattr(self, name)!r})")
        rate = self.media_trickle_bytes_per_s
        if rate is not None and (not isinstance(rate, int | float) or not 0 < rate < math.inf):
            raise ValueError(f"media_trickle_bytes_per_s must be more than 0 bytes per second (got {rate!r})")
        if self.media_links is not None and self.media_links not in MEDIA_LINKS:
            raise ValueError(f"media_links must be userinfo or dots (got {self.media_links!r})")
        if not isinstance(self.bad_template, bool):
            raise ValueError(f"bad_template must be True or False (got {self.bad_template!r})")
        if self.huge_template is not None:
            given: Any = self.huge_template
            pair = (given, given) if isinstance(given, int) else tuple(given)
            if len(pair) != 2 or not all(
                isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= HUGE_TEMPLATE_MAX for n in pair
            ):
                raise ValueError(
                    f"huge_template must be N or (VARS, BUTTONS), each 0 to {HUGE_TEMPLATE_MAX} "
                    f"(got {given!r})"
                )
            object.__setattr__(self, "huge_template", pair)
        if self.methods is not None:
            object.__setattr__(self, "methods", frozenset(m.strip().upper() for m in self.methods))
        if self.paths is not None:
            object.__setattr__(self, "paths", tuple(self.paths))

    def applies(self, method: str, path: str) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.paths is not None:
            return any(fnmatchcase(path, p) for p in self.paths)
        return not any(fnmatchcase(path, p) for p in SPARED_BY_DEFAULT)

    @property
    def on_media(self) -> bool:
        """Whether the public media URL's files are cut short or trickled."""
        return self.media_short or self.media_trickle_bytes_per_s is not None

    @property
    def rewrites_answers(self) -> bool:
        """Whether answers' JSON is changed (hostile, odd or echoing bodies)."""
        return self.hostile_ids or self.odd_bodies is not None or self.echo_key_errors

    def describe(self) -> str:
        """One line for `switchboard sandbox` to print."""
        parts = []
        low, high = self.latency_ms  # type: ignore[misc]
        if high:
            parts.append(f"latency {low:g} ms" if low == high else f"latency {low:g}-{high:g} ms")
        if self.fail_rate:
            codes = ",".join(map(str, self.fail_status))
            parts.append(f"fail {self.fail_rate:.0%} with {codes}")
        if self.drop_before:
            parts.append(f"drop {self.drop_before:.0%} before handling ({self.drop_style})")
        if self.drop_after:
            parts.append(f"drop {self.drop_after:.0%} after handling ({self.drop_style})")
        if self.rate_limit:
            parts.append(f"rate limit {self.rate_limit[0]} per {self.rate_limit[1]:g} s")
        if self.trickle_bytes_per_s:
            parts.append(f"answers trickle at {self.trickle_bytes_per_s:g} bytes/s")
        if self.hostile_ids:
            parts.append("hostile ids, names and statuses")
        if self.odd_bodies:
            parts.append(f"odd bodies ({self.odd_bodies})")
        if self.echo_key_errors:
            parts.append("4xx errors echo the API key")
        if self.media_links:
            parts.append(f"file links in messages carry {self.media_links}")
        if self.media_short:
            parts.append("media files cut off after half")
        if self.media_trickle_bytes_per_s:
            parts.append(f"media files trickle at {self.media_trickle_bytes_per_s:g} bytes/s")
        if self.bad_template:
            parts.append("a malformed template listed")
        if self.huge_template is not None:
            variables, buttons = self.huge_template
            parts.append(f"a template with {variables} variables and {buttons} URL buttons listed")
        if not parts:
            return "Faults: none yet"
        scope = []
        if self.methods is not None:
            scope.append(",".join(sorted(self.methods)))
        if self.paths is not None:
            scope.append(",".join(self.paths))
        where = f" on {' '.join(scope)}" if scope else ""
        seed = f" (seed {self.seed})" if self.seed is not None else ""
        return f"Faults{where}: {'; '.join(parts)}{seed}"


def merge_options(base: Faults | None, options: MutableMapping[str, Any]) -> Faults | None:
    """`base` with the fault keyword options found in `options` (popped) applied; None when there
    are neither. The options are those of `tui.sandbox.fault_options.OPTIONS`."""
    given = {FIELDS[k]: options.pop(k) for k in list(options) if k in FIELDS}
    changes = {k: v for k, v in given.items() if v is not None}
    if base is None and not given:
        return None
    return replace(base or Faults(), **changes)
