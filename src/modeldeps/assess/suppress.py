"""Suppression: policy ignores (reason, expiry) and inline ``# modeldeps: ignore[MD201] why``."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pathspec

from modeldeps.assess.policy import Ignore
from modeldeps.model import Finding

__all__ = ["InlineSuppressions", "ignore_matches", "parse_inline", "split_suppressed"]

_INLINE = re.compile(r"modeldeps:\s*ignore\[([A-Za-z0-9_,\s]+)\]\s*(.*)")
# A line that is nothing but a comment, so its suppression applies to the next line.
_COMMENT_ONLY = re.compile(r"^\s*(#|//|--|;|/\*|<!--)")
# A line whose code ends inside an open call or literal: the statement goes on below it.
_CONTINUES = re.compile(r"[(\[{,\\]\s*(#.*|//.*)?$")
_MAX_CONTINUATION = 5


def parse_inline(line: str) -> frozenset[str] | None:
    """The rule ids an inline suppression on ``line`` names, or None when there is none."""
    m = _INLINE.search(line)
    if m is None:
        return None
    ids = frozenset(part.strip().upper() for part in m.group(1).split(",") if part.strip())
    return ids or None


def ignore_matches(ign: Ignore, finding: Finding) -> bool:
    """Whether a policy ignore covers ``finding`` (expiry not considered)."""
    if ign.rule not in ("*", finding.rule_id):
        return False
    if ign.path is not None:
        spec = pathspec.GitIgnoreSpec.from_lines([ign.path])
        if not spec.match_file(finding.location.path):
            return False
    if ign.model is not None:
        pattern = ign.model.lower()
        subject = finding.subject.lower()
        # Subjects are a model id, or "model:licence" / "operator:model"; any part may match.
        names = [subject, *subject.split(":")]
        if not any(fnmatch.fnmatchcase(name, pattern) for name in names):
            return False
    return True


@dataclass
class InlineSuppressions:
    """Reads scanned files lazily (bounded, never outside the roots) to find inline ignores."""

    roots: Sequence[Path]
    max_bytes: int
    _lines: dict[str, list[str]] = field(default_factory=dict)

    def _resolve(self, rel: str) -> Path | None:
        if len(self.roots) == 1:
            root, rest = self.roots[0], rel
        else:
            head, _, rest = rel.partition("/")
            matches = [r for r in self.roots if r.name == head]
            if not matches:
                return None
            root = matches[0]
        if root.is_file():
            return root if rest in ("", root.name) else None
        base = os.path.realpath(root)
        target = os.path.realpath(os.path.join(base, rest))
        # A symlink that leads out of the scan root is never read.
        if not target.startswith(base + os.sep):
            return None
        return Path(target)

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            path = self._resolve(rel)
            text = ""
            if path is not None:
                try:
                    with path.open("rb") as fh:
                        text = fh.read(self.max_bytes).decode("utf-8", "replace")
                except OSError:
                    text = ""
            self._lines[rel] = text.splitlines()
        return self._lines[rel]

    def suppressed(self, finding: Finding) -> bool:
        line = finding.location.line
        if line is None or line < 1:
            return False
        lines = self.lines(finding.location.path)
        if line > len(lines):
            return False
        candidates = [lines[line - 1]]
        if line >= 2 and _COMMENT_ONLY.match(lines[line - 2]):
            candidates.append(lines[line - 2])
        # In a call spread over lines, the comment may sit on any earlier line of the statement.
        above = line - 2
        while above >= 0 and line - above <= _MAX_CONTINUATION + 1:
            if not _CONTINUES.search(lines[above]):
                break
            candidates.append(lines[above])
            above -= 1
        for text in candidates:
            ids = parse_inline(text)
            if ids is not None and finding.rule_id in ids:
                return True
        return False


def split_suppressed(
    findings: Iterable[Finding],
    ignores: Sequence[Ignore],
    inline: InlineSuppressions | None,
    today: date,
) -> tuple[list[Finding], list[Finding]]:
    """(kept, suppressed): expired ignores hide nothing; MD001 itself can only be ignored inline."""
    live = [i for i in ignores if i.expires is None or i.expires >= today]
    kept: list[Finding] = []
    hidden: list[Finding] = []
    for f in findings:
        by_policy = f.rule_id != "MD001" and any(ignore_matches(i, f) for i in live)
        if by_policy or (inline is not None and inline.suppressed(f)):
            hidden.append(f)
        else:
            kept.append(f)
    return kept, hidden
