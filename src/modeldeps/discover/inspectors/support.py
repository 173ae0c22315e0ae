"""Shared helpers for the inspectors: counted reads, findings, path-escape checks."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import TracebackType
from typing import BinaryIO

from modeldeps.errors import InspectorError
from modeldeps.model import Confidence, Finding, Location, Severity
from modeldeps.rule_catalog import rule_info


class ReadMeter:
    """Bytes read from one file during one inspection, summed over every handle opened on it."""

    __slots__ = ("total",)

    def __init__(self) -> None:
        self.total = 0

    def add(self, n: int) -> None:
        self.total += n


class CountingFile:
    """A read-only file wrapper that counts the bytes actually read (for bytes_read figures).

    Open the underlying file unbuffered: then every byte counted is a byte the OS handed over,
    and ``bytes_read`` matches the process's own read accounting.
    """

    def __init__(self, fh: BinaryIO, meter: ReadMeter | None = None) -> None:
        self._fh = fh
        self._meter = meter
        self.bytes_read = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        # An unbuffered read may return short; loop so callers can trust the length.
        if n > 0 and data is not None and 0 < len(data) < n:
            parts = [data]
            got = len(data)
            while got < n:
                more = self._fh.read(n - got)
                if not more:
                    break
                parts.append(more)
                got += len(more)
            data = b"".join(parts)
        data = data or b""
        self.bytes_read += len(data)
        if self._meter is not None:
            self._meter.add(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> CountingFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_counted(path: Path, meter: ReadMeter | None = None) -> CountingFile:
    """``path`` opened unbuffered for reading, its reads counted (into ``meter`` too)."""
    return CountingFile(path.open("rb", buffering=0), meter)


def read_capped(fh: CountingFile, cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes from the current position, and whether more remained."""
    data = fh.read(cap + 1)
    return data[:cap], len(data) > cap


def finding(
    rule_id: str,
    severity: Severity,
    message: str,
    rel: str,
    subject: str = "",
    confidence: Confidence = Confidence.HIGH,
) -> Finding:
    """A fingerprinted inspector finding located at the file ``rel``; every inspector's findings
    are made here, with the title and remediation of the rule catalog."""
    info = rule_info(rule_id)
    return Finding(
        rule_id=rule_id,
        severity=severity,
        confidence=confidence,
        title=info.title,
        message=message,
        location=Location(rel),
        subject=subject or rel,
        remediation=info.remediation,
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
