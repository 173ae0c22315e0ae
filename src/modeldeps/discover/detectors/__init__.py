"""Detector registry: every detector modeldeps runs, in order.

Detector modules are imported on first use: a re-scan whose every file comes from the cache never
loads them (nor YAML, TOML or the Python analysis they pull in).
"""

from __future__ import annotations

import importlib
from functools import cache

from modeldeps.discover.detectors.interface import Detector, SourceFile

#: The registry: module and class of each detector, in the order they run. Add a detector by
#: adding its row here (see ADDING.md).
DETECTORS: tuple[tuple[str, str], ...] = (
    ("modeldeps.discover.detectors.python_source", "PythonSourceDetector"),
    ("modeldeps.discover.detectors.notebook", "NotebookDetector"),
    ("modeldeps.discover.detectors.code", "CodeDetector"),
    ("modeldeps.discover.detectors.config_files", "ConfigFileDetector"),
    ("modeldeps.discover.detectors.infra", "InfraDetector"),
    ("modeldeps.discover.detectors.modelfile", "ModelfileDetector"),
    ("modeldeps.discover.detectors.manifests", "ManifestDetector"),
    ("modeldeps.discover.detectors.text", "TextDetector"),
)


@cache
def detector_classes() -> tuple[type[Detector], ...]:
    """Every registered detector class (imports their modules)."""
    classes: list[type[Detector]] = []
    for module, name in DETECTORS:
        cls: type[Detector] = getattr(importlib.import_module(module), name)
        classes.append(cls)
    return tuple(classes)


def all_detectors() -> tuple[Detector, ...]:
    """Fresh instances of every registered detector."""
    return tuple(cls() for cls in detector_classes())


__all__ = ["DETECTORS", "Detector", "SourceFile", "all_detectors", "detector_classes"]
