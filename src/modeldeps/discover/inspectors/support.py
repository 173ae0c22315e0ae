"""Shared helpers for the non-pickle inspectors: findings, bounded reads, path-escape checks."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from modeldeps.errors import InspectorError
from modeldeps.model import Confidence, Finding, Location, Severity

_TITLES = {
    "MD206": "Keras Lambda layer or unknown custom object",
    "MD207": "Chat template reaches outside the Jinja sandbox",
    "MD208": "Path escapes the model folder",
    "MD209": "Format not statically verifiable",
    "MD210": "Malformed model file",
}


def finding(
    rule_id: str,
    severity: Severity,
    message: str,
    rel: str,
    subject: str = "",
    confidence: Confidence = Confidence.HIGH,
) -> Finding:
    """A fingerprinted inspector finding located at the file ``rel``."""
    return Finding(
        rule_id=rule_id,
        severity=severity,
        confidence=confidence,
        title=_TITLES.get(rule_id, rule_id),
        message=message,
        location=Location(rel),
        subject=subject or rel,
    ).with_fingerprint()


def malformed(rel: str, message: str, *, crafted: bool = False) -> Finding:
    """MD210: low for ordinary damage, high when a size field is impossible (a crafted header)."""
    severity = Severity.HIGH if crafted else Severity.LOW
    return finding("MD210", severity, message, rel, subject=f"{rel}:{message[:80]}")


def read_exact(fh: BinaryIO, n: int, what: str) -> bytes:
    """Read exactly ``n`` bytes or raise ``InspectorError`` naming what was being read."""
    data = fh.read(n)
    if len(data) != n:
        raise InspectorError(f"truncated while reading {what}")
    return data


def path_escapes(member: str, base: Path | None = None) -> bool:
    """Whether ``member`` is absolute, has a drive, or climbs out of ``base`` with ``..``.

    Without ``base`` only the member's own shape is judged (an archive member).
    """
    if not member:
        return False
    text = member.replace("\\", "/")
    if text.startswith("/") or PureWindowsPath(member).drive or PureWindowsPath(member).root:
        return True
    if base is None:
        depth = 0
        for part in PurePosixPath(text).parts:
            if part == "..":
                depth -= 1
                if depth < 0:
                    return True
            elif part not in ("", "."):
                depth += 1
        return False
    base_real = os.path.realpath(base)
    target = os.path.realpath(os.path.join(base_real, text))
    return target != base_real and not target.startswith(base_real + os.sep)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else text[:limit] + "…"
