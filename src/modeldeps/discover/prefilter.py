"""Byte-level prefilter: decides from raw bytes whether any detector's parser runs at all.

Detectors that rely on the recognizer take their keywords from ``recognizer.prefilter_words()``:
every string the recognizer can accept contains one of those words (KB names and hosts,
provider-grammar prefixes, Ollama names, weight extensions, URI schemes, and the context words
that lift a weak name), so a file without any of them holds no reference and is not read
further. The file is lower-cased once and searched with one RE2 alternation per keyword set
(linear time, stops at the first hit; hundreds of literals cost about one pass over the bytes),
and detectors sharing a keyword set share the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import re2

from modeldeps.discover.detectors.interface import Detector


@lru_cache(maxsize=16)
def _matcher(keywords: tuple[bytes, ...]) -> Any:
    options = re2.Options()
    options.max_mem = 64 << 20  # hundreds of literals need more than RE2's default budget
    return re2.compile(b"|".join(re2.escape(k) for k in keywords), options)


def select(detectors: Sequence[Detector], data: bytes) -> list[Detector]:
    """Return the detectors among ``detectors`` whose keywords occur in ``data`` (any case)."""
    lowered: bytes | None = None
    answers: dict[tuple[bytes, ...], bool] = {}
    chosen: list[Detector] = []
    for det in detectors:
        keywords = det.keywords_lower
        if not keywords:
            chosen.append(det)  # the detector wants every file it accepts
            continue
        if keywords not in answers:
            if lowered is None:
                lowered = data.lower()
            answers[keywords] = _matcher(keywords).search(lowered) is not None
        if answers[keywords]:
            chosen.append(det)
    return chosen
