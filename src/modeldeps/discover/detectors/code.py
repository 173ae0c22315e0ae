"""JavaScript, TypeScript, Go, Java, Kotlin, C# and Rust: string literals by tree-sitter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.recognizer import prefilter_words, references
from modeldeps.discover.detectors.treesitter import literals
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference

#: Sources larger than this are bundles or generated code, not worth a parse.
MAX_CODE_BYTES = 1024 * 1024

#: File suffix -> tree-sitter grammar.
LANGUAGES: dict[str, str] = {
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "tsx",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".cs": "csharp",
    ".rs": "rust",
}  # fmt: skip


class CodeDetector(Detector):
    """String literals of JS/TS, Go, Java, Kotlin, C# and Rust sources, judged by the recognizer."""

    name: ClassVar[str] = "code"
    suffixes: ClassVar[frozenset[str]] = frozenset(LANGUAGES)
    keywords: ClassVar[tuple[bytes, ...]] = prefilter_words() or ()
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        if name.endswith((".min.js", ".d.ts", ".bundle.js", ".chunk.js")):
            return False
        return super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.data or source.text.encode()) > MAX_CODE_BYTES:
            raise DetectorError(
                f"{source.rel}: source larger than {MAX_CODE_BYTES} bytes, not read"
            )
        suffix = "." + source.name.rsplit(".", 1)[-1].lower()
        grammar = LANGUAGES[suffix]
        data = source.data or source.text.encode()
        found = list(literals(grammar, data, source.text))
        return references(source, found, self.name)
