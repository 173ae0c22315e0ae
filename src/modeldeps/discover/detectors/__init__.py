"""Detector registry: every detector modeldeps runs, in order."""

from __future__ import annotations

from modeldeps.discover.detectors.config_files import ConfigFileDetector
from modeldeps.discover.detectors.infra import InfraDetector
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.javascript import JavaScriptDetector
from modeldeps.discover.detectors.manifests import ManifestDetector
from modeldeps.discover.detectors.modelfile import ModelfileDetector
from modeldeps.discover.detectors.notebook import NotebookDetector
from modeldeps.discover.detectors.python_source import PythonSourceDetector

#: The registry. Add a detector by importing its class here (see ADDING.md).
DETECTOR_CLASSES: tuple[type[Detector], ...] = (
    PythonSourceDetector,
    NotebookDetector,
    JavaScriptDetector,
    ConfigFileDetector,
    InfraDetector,
    ModelfileDetector,
    ManifestDetector,
)


def all_detectors() -> tuple[Detector, ...]:
    """Fresh instances of every registered detector."""
    return tuple(cls() for cls in DETECTOR_CLASSES)


__all__ = ["DETECTOR_CLASSES", "Detector", "SourceFile", "all_detectors"]
