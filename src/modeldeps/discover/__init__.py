"""Discover stage: walk files, run detectors on text and inspectors on weights."""
