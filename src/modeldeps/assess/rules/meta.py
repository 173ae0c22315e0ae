"""MD0xx policy-hygiene rules: findings about the configuration itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from modeldeps.assess.policy import MAX_CONFIG_BYTES, Ignore
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Finding, Location


def _config_location(source: str | None, root: Path | None, ignore: Ignore) -> Location:
    """Where the ignore is written: the config file, relative to the root, at the reason's line."""
    if not source:
        return Location(".")
    path = Path(source)
    rel = path.name
    if root is not None:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            rel = path.name
    line = None
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_CONFIG_BYTES).decode("utf-8", "replace")
    except OSError:
        text = ""
    needle = ignore.reason.splitlines()[0] if ignore.reason else ""
    for no, content in enumerate(text.splitlines(), start=1):
        if needle and needle in content:
            line = no
            break
    return Location(rel, line)


class ExpiredIgnore(Rule):
    """An ignore in the policy has passed its expiry date.

    Every ``[[ignore]]`` entry carries a reason and, ideally, an ``expires`` date after which the
    decision must be made again. Once the date has passed the ignore no longer hides anything,
    and this finding asks for the review: renew the date with a fresh reason, or fix the
    underlying findings. The scan's own date decides (an ignore that expires on a day is still
    valid that day).
    """

    id = "MD001"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ign in ctx.policy.ignores:
            if ign.expires is None or ign.expires >= ctx.today:
                continue
            yield self.make(
                f"ignore #{ign.index + 1} ({ign.describe()}: {ign.reason!r}) expired on "
                f"{ign.expires.isoformat()}",
                _config_location(ctx.policy.source, ctx.root, ign),
                f"ignore:{ign.describe()}:{ign.reason}",
            )
