"""The detector seam: a detector turns one text file into model references and dependencies."""

from __future__ import annotations

import fnmatch
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference, Skipped

__all__ = ["Detector", "DetectorError", "SourceFile"]


@dataclass(frozen=True)
class SourceFile:
    """A decoded text file handed to a detector. ``rel`` is the POSIX path from the scan root."""

    rel: str
    text: str
    data: bytes = field(repr=False, default=b"")
    #: Why a detector read the file only in part (a depth or size limit): each becomes a
    #: ``Skipped`` entry, so a partial read is never silent.
    partial: list[str] = field(default_factory=list, repr=False, compare=False)

    def read_in_part(self, reason: str) -> None:
        """Record that part of the file was not analysed, and why."""
        if reason not in self.partial:
            self.partial.append(reason)

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    @cached_property
    def line_starts(self) -> list[int]:
        """Offsets at which each line begins, for turning an offset into a 1-based line."""
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", self.text))
        return starts

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in ``text``."""
        if "line_starts" not in self.__dict__:
            # a file with few references: counting is cheaper than indexing every line
            return self.text.count("\n", 0, offset) + 1
        import bisect

        return bisect.bisect_right(self.line_starts, offset)

    def column_of(self, offset: int) -> int:
        """1-based column of a character offset in ``text``."""
        return offset - (self.text.rfind("\n", 0, offset) + 1) + 1


class Detector(ABC):
    """Finds model references in files it accepts.

    A typical detector sets ``name``, the files it accepts (``suffixes`` and/or ``filenames``,
    which may be glob patterns matched against the file name), and ``keywords``: byte strings of
    which at least one must occur in a file before ``detect`` runs (the prefilter). An empty
    ``keywords`` means the detector sees every file it accepts.
    """

    name: ClassVar[str]
    suffixes: ClassVar[frozenset[str]] = frozenset()
    filenames: ClassVar[frozenset[str]] = frozenset()
    keywords: ClassVar[tuple[bytes, ...]] = ()
    #: Bumped when the detector's output for the same input changes, as a note for readers. The
    #: cache does not rely on it: its salt is the content of every file of the discovery package
    #: (``engine.detector_salt``), so any edit invalidates cached results, bumped or not.
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        """Whether this detector wants to see the file at ``rel``."""
        name = rel.rsplit("/", 1)[-1]
        if self.suffixes and name.lower().endswith(self._suffix_tuple):
            return True
        if name in self.filenames:
            return True
        pattern = self._filename_re
        return pattern is not None and pattern.match(name) is not None

    @cached_property
    def _suffix_tuple(self) -> tuple[str, ...]:
        return tuple(s.lower() for s in self.suffixes)

    @cached_property
    def _filename_re(self) -> re.Pattern[str] | None:
        """All ``filenames`` globs as one anchored regex (exact names match too)."""
        globs = [p for p in self.filenames if any(c in p for c in "*?[")]
        if not globs:
            return None
        return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs))

    @cached_property
    def keywords_lower(self) -> tuple[bytes, ...]:
        """The prefilter keywords in lower case, shortest first.

        A short keyword is the likeliest to occur, and ``any`` stops at the first hit, so most
        files that pass are decided after one or two containment tests.
        """
        return tuple(sorted({k.lower() for k in self.keywords}, key=lambda k: (len(k), k)))

    @cached_property
    def keyword_re(self) -> re.Pattern[bytes] | None:
        if not self.keywords:
            return None
        return re.compile(b"|".join(re.escape(k) for k in self.keywords), re.IGNORECASE)

    @abstractmethod
    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency | Skipped]:
        """Yield references and dependencies found in ``source``, and a ``Skipped`` for a part
        the detector could not read while it still read the rest.

        Raise ``DetectorError`` for input the detector cannot make sense of; any other exception
        is also caught by the pipeline and recorded as a ``Skipped`` entry naming the file.
        """
