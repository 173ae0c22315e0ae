"""Detector registry: every detector modeldeps runs, in order."""

from __future__ import annotations

from modeldeps.discover.detectors.interface import Detector, SourceFile

#: The registry. Add a detector by importing its class here (see ADDING.md).
DETECTOR_CLASSES: tuple[type[Detector], ...] = ()


def all_detectors() -> tuple[Detector, ...]:
    """Fresh instances of every registered detector."""
    return tuple(cls() for cls in DETECTOR_CLASSES)


__all__ = ["DETECTOR_CLASSES", "Detector", "SourceFile", "all_detectors"]
