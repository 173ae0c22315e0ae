"""The inspector seam: an inspector reads one weight format's structure without executing it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from modeldeps.discover.inspectors.support import CountingFile, ReadMeter, open_counted
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo

__all__ = ["InspectContext", "Inspector", "InspectorError"]

#: How many bytes of a file's start are handed to ``sniff`` (an inspector that needs more to
#: judge, such as the pickle reader, reads them itself).
SNIFF_BYTES = 64


@dataclass(frozen=True, slots=True)
class InspectContext:
    """What an inspector is told about the file it reads.

    ``path`` is the file on disk; ``rel`` the POSIX path relative to the inspected root (used in
    every ``Location``); ``root`` the inspected root, for checks such as "external data escapes
    the model folder". Inspectors read through ``open()``, so ``meter`` counts every byte an
    inspection takes from disk (the dispatcher reports that as ``ArtifactInfo.bytes_read``).
    """

    path: Path
    rel: str
    root: Path
    size: int
    hash_file: bool = False
    max_header_bytes: int = 100 * 1024 * 1024
    max_pickle_bytes: int = 256 * 1024 * 1024
    deadline: float | None = None  # time.monotonic() by which the scan's time budget runs out
    meter: ReadMeter = field(default_factory=ReadMeter, compare=False, repr=False)
    _head: bytearray = field(default_factory=bytearray, compare=False, repr=False)
    _zip: list[str] = field(default_factory=list, compare=False, repr=False)

    def open(self) -> CountingFile:
        """The file, unbuffered, with its reads counted into ``meter``."""
        return open_counted(self.path, self.meter)

    def head(self, n: int) -> bytes:
        """The file's first ``n`` bytes (fewer if it is shorter), read once and kept: the
        dispatcher's sniff and the chosen inspector share them instead of reading twice."""
        have = len(self._head)
        if have < n and have < self.size:
            with self.open() as fh:
                fh.seek(have)
                self._head.extend(fh.read(min(n, self.size) - have))
        return bytes(self._head[:n])

    def zip_kind(self) -> str | None:
        """Which model container the file is as a zip, by its member names (read once)."""
        from modeldeps.discover.inspectors.content import zip_kind, zip_names

        if not self._zip:
            with self.open() as fh:
                self._zip.append("\0")  # a marker: read, even when the zip has no members
                self._zip.extend(zip_names(fh))
        return zip_kind(self._zip[1:])


class Inspector(ABC):
    """Reads one family of formats.

    ``sniff`` decides by magic bytes (first ``SNIFF_BYTES`` of the file); ``suffixes`` is the
    fallback when no inspector claims the magic. ``inspect`` returns an ``ArtifactInfo`` whose
    ``findings`` carry any risk seen, including "malformed file" — it raises ``InspectorError``
    only when it cannot say anything at all.
    """

    name: ClassVar[str]
    suffixes: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        """Whether the file whose first bytes are ``head`` is in this inspector's format."""

    @abstractmethod
    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        """Read the file's structure and return what it is."""
