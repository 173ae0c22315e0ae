"""Byte-level prefilter: decides from raw bytes whether any detector's parser runs at all.

The file is lower-cased once and each keyword is looked for with ``bytes.__contains__``, which
runs at memory speed; a compiled alternation of many case-insensitive literals is several times
slower in Python's ``re`` (measured on the transformers source tree), so none is used here.
"""

from __future__ import annotations

from collections.abc import Sequence

from modeldeps.discover.detectors.interface import Detector


def select(detectors: Sequence[Detector], data: bytes) -> list[Detector]:
    """Return the detectors among ``detectors`` whose keywords occur in ``data`` (any case)."""
    lowered: bytes | None = None
    chosen: list[Detector] = []
    for det in detectors:
        keywords = det.keywords_lower
        if not keywords:
            chosen.append(det)  # the detector wants every file it accepts
            continue
        if lowered is None:
            lowered = data.lower()
        if any(k in lowered for k in keywords):
            chosen.append(det)
    return chosen
