"""Byte-level prefilter: one compiled regex per detector set decides whether any parser runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from modeldeps.discover.detectors.interface import Detector


@lru_cache(maxsize=256)
def _combined(keyword_sets: tuple[tuple[bytes, ...], ...]) -> re.Pattern[bytes] | None:
    words: set[bytes] = set()
    for keywords in keyword_sets:
        if not keywords:
            return None  # some detector wants every file it accepts
        words.update(keywords)
    # Longest first so the alternation prefers specific words; the regex engine scans once.
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return re.compile(b"|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def select(detectors: Sequence[Detector], data: bytes) -> list[Detector]:
    """Return the detectors among ``detectors`` whose keywords occur in ``data``."""
    if not detectors:
        return []
    combined = _combined(tuple(d.keywords for d in detectors))
    if combined is not None and combined.search(data) is None:
        return []
    if len(detectors) == 1:
        return list(detectors)
    chosen = []
    for det in detectors:
        pattern = det.keyword_re
        if pattern is None or pattern.search(data) is not None:
            chosen.append(det)
    return chosen
