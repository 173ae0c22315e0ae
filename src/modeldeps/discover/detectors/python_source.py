"""Python source detector: model loaders and API clients found by ``ast``, never by running code."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable, Iterator

from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.pyast.analyzer import Analyzer, Hit
from modeldeps.discover.detectors.pyast.triggers import KEYWORDS, has_code_trigger
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, Location, ModelReference

#: Larger Python files are generated code or data; parsing them costs more than they are worth.
MAX_PYTHON_BYTES = 2 * 1024 * 1024


def parse_python(text: str, rel: str) -> ast.Module:
    """``ast.parse`` bounded in size, with every parser failure turned into ``DetectorError``."""
    if len(text) > MAX_PYTHON_BYTES:
        raise DetectorError(f"{rel}: Python file larger than {MAX_PYTHON_BYTES} bytes, not parsed")
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences in scanned code are the scanned project's business.
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=rel)
    except SyntaxError as exc:
        raise DetectorError(f"{rel}:{exc.lineno or 0}: syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise DetectorError(f"{rel}: cannot parse: {type(exc).__name__}") from None


def analyze(tree: ast.Module, text: str) -> list[Hit]:
    """All references in a parsed module, with the module's own line numbers."""
    try:
        return Analyzer(tree, text).run()
    except RecursionError:
        raise DetectorError("expression nesting too deep to analyse") from None


def to_references(
    hits: Iterable[Hit],
    rel: str,
    detector: str,
    place: Callable[[Hit], tuple[int, dict[str, int]]] | None = None,
) -> Iterator[ModelReference]:
    """ModelReferences for ``hits``; ``place`` maps a hit to a stored line and extra context."""
    for hit in hits:
        line, extra = (hit.line, {}) if place is None else place(hit)
        ctx = {**hit.context, **extra}
        loc = Location(rel, line, hit.column)
        yield ModelReference(hit.kind, hit.value, loc, detector, ctx)


class PythonSourceDetector(Detector):
    """Calls of model loaders and API clients in ``.py`` files, values followed through names."""

    name = "python"
    suffixes = frozenset({".py", ".pyw"})
    keywords = KEYWORDS
    version = 1

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if not has_code_trigger(source.text):
            return []
        tree = parse_python(source.text, source.rel)
        try:
            hits = analyze(tree, source.text)
        except DetectorError as exc:
            raise DetectorError(f"{source.rel}: {exc}") from None
        return list(to_references(hits, source.rel, self.name))
