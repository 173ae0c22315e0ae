"""Ollama Modelfiles: the base model of ``FROM`` and the weights of ``ADAPTER``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.config_values import Classified, classify, make_ref
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference, RefKind

_INSTRUCTION_RE = re.compile(r"^[ \t]*(FROM|ADAPTER)[ \t]+(\S+)", re.IGNORECASE | re.MULTILINE)
_TRIPLE_RE = re.compile(r'"""(?:.|\n)*?(?:"""|\Z)')
_LOCAL_PREFIXES = ("./", "../", "/", "~/", ".\\")
_MAX_MODELFILE_BYTES = 1024 * 1024


def _base(value: str) -> Classified | None:
    v = value.strip("\"'")
    if v.startswith(_LOCAL_PREFIXES) or v.lower().endswith((".gguf", ".safetensors", ".bin")):
        return Classified(RefKind.LOCAL_ARTIFACT, v)
    if vocab.OLLAMA_TAG_RE.match(v) or v.startswith(("hf.co/", "huggingface.co/")):
        return Classified(RefKind.OLLAMA_MODEL, v, {"provider": "ollama"})
    if "." not in v.split("/", 1)[0] and "/" not in v:
        return classify(v, ollama=True)
    return None


class ModelfileDetector(Detector):
    """``FROM llama3.1:8b``, ``FROM ./model.gguf``, ``FROM hf.co/org/repo:Q4_K_M``, ``ADAPTER``."""

    name: ClassVar[str] = "modelfile"
    suffixes: ClassVar[frozenset[str]] = frozenset({".modelfile"})
    filenames: ClassVar[frozenset[str]] = frozenset({"Modelfile", "Modelfile.*", "*.Modelfile"})
    keywords: ClassVar[tuple[bytes, ...]] = (b"FROM", b"ADAPTER")
    version: ClassVar[int] = 1

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > _MAX_MODELFILE_BYTES:
            raise DetectorError(f"larger than the {_MAX_MODELFILE_BYTES}-byte cap for Modelfiles")
        refs = []
        # SYSTEM/TEMPLATE bodies in triple quotes are prose: blank them, keeping offsets
        text = _TRIPLE_RE.sub(lambda t: re.sub(r"[^\n]", " ", t.group()), source.text)
        for m in _INSTRUCTION_RE.finditer(text):
            instruction = m.group(1).upper()
            value = m.group(2)
            if instruction == "ADAPTER":
                found: Classified | None = Classified(RefKind.LOCAL_ARTIFACT, value.strip("\"'"))
                if not value.startswith(_LOCAL_PREFIXES) and "." not in value:
                    found = None
            else:
                found = _base(value)
            if found is not None:
                loader = f"ollama Modelfile {instruction}"
                refs.append(make_ref(source, m.start(2), found, self.name, loader=loader))
        return refs
