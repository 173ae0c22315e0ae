"""Ollama Modelfiles: the base model of ``FROM`` and the weights of ``ADAPTER``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.recognizer import references
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference

_INSTRUCTION_RE = re.compile(r"^[ \t]*(FROM|ADAPTER)[ \t]+(\S+)", re.IGNORECASE | re.MULTILINE)
_TRIPLE_RE = re.compile(r'"""(?:.|\n)*?(?:"""|\Z)')
_LOCAL_PREFIXES = ("./", "../", "/", "~/", ".\\")
_MAX_MODELFILE_BYTES = 1024 * 1024


def _expect(value: str) -> Expect:
    """A path or a weight file is local; anything else is a model Ollama pulls."""
    if value.startswith(_LOCAL_PREFIXES) or value.lower().endswith(
        (".gguf", ".safetensors", ".bin")
    ):
        return Expect.LOCAL
    return Expect.OLLAMA


class ModelfileDetector(Detector):
    """``FROM llama3.1:8b``, ``FROM ./model.gguf``, ``FROM hf.co/org/repo:Q4_K_M``, ``ADAPTER``."""

    name: ClassVar[str] = "modelfile"
    suffixes: ClassVar[frozenset[str]] = frozenset({".modelfile"})
    filenames: ClassVar[frozenset[str]] = frozenset({"Modelfile", "Modelfile.*", "*.Modelfile"})
    keywords: ClassVar[tuple[bytes, ...]] = (b"FROM", b"ADAPTER")
    version: ClassVar[int] = 2

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > _MAX_MODELFILE_BYTES:
            raise DetectorError(f"larger than the {_MAX_MODELFILE_BYTES}-byte cap for Modelfiles")
        # SYSTEM/TEMPLATE bodies in triple quotes are prose: blank them, keeping offsets
        text = _TRIPLE_RE.sub(lambda t: re.sub(r"[^\n]", " ", t.group()), source.text)
        literals: list[Literal] = []
        for m in _INSTRUCTION_RE.finditer(text):
            instruction = m.group(1).upper()
            value = m.group(2).strip("\"'")
            if instruction == "ADAPTER" and not (value.startswith(_LOCAL_PREFIXES) or "." in value):
                continue
            expect = Expect.LOCAL if instruction == "ADAPTER" else _expect(value)
            loader = f"ollama Modelfile {instruction}"
            literals.append(Literal(value, m.start(2), Site.ARGUMENT, call=loader, expect=expect))
        return references(source, literals, self.name)
