"""Python source detector: every string literal judged by the recognizer, loaders by ``ast``.

Two passes, neither runs the code. The lexical pass (``lexical.py`` with the Python syntax)
finds every string the recognizer could accept, with the name, key, call, collection or
comparison around it, including commented-out code and docstring examples. When the file calls
a known loader or client, ``ast`` follows values into those calls (constants, defaults,
``os.getenv`` defaults, f-strings) and adds what the loader says about its argument.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable

from modeldeps.discover.detectors.crossmodule import PENDING, export
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.lexical import extract_with_spans
from modeldeps.discover.detectors.literals import Literal, Site
from modeldeps.discover.detectors.pyast.analyzer import Analyzer
from modeldeps.discover.detectors.pyast.syntax import PYTHON
from modeldeps.discover.detectors.pyast.triggers import has_code_trigger
from modeldeps.discover.detectors.recognizer import (
    intrinsic,
    position,
    prefilter_words,
    to_references,
    verdicts,
)
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, Location, ModelReference, RefKind, Skipped, Stage

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


def analyze(tree: ast.Module, text: str) -> list[Literal]:
    """Loader evidence of a parsed module, with the module's own line numbers."""
    try:
        return Analyzer(tree, text).run()
    except RecursionError:
        raise DetectorError("expression nesting too deep to analyse") from None


def merge(source: SourceFile, lexical: list[Literal], evidence: list[Literal]) -> list[Literal]:
    """The lexical literals, each replaced by the loader's evidence for the same string."""
    by_place = {(e.line, e.value): e for e in evidence}
    out: list[Literal] = []
    for lit in lexical:
        line = lit.line if lit.line is not None else source.line_of(max(lit.offset, 0))
        found = by_place.pop((line, lit.value), None)
        out.append(found if found is not None else lit)
    out.extend(by_place.values())  # values built by f-strings or ``+``: no single literal
    return out


def python_literals(source: SourceFile) -> tuple[list[Literal], Skipped | None]:
    """Every literal of a Python text with its context, and the parse failure if any."""
    text = source.text
    if len(text) > MAX_PYTHON_BYTES:
        raise DetectorError(
            f"{source.rel}: Python file larger than {MAX_PYTHON_BYTES} bytes, not read"
        )
    lexical, docstrings = extract_with_spans(PYTHON, text)
    if not has_code_trigger(text, docstrings):
        return lexical, None
    try:
        tree = parse_python(text, source.rel)
        evidence = analyze(tree, text)
    except DetectorError as exc:
        reason = f"python: loaders not followed ({exc}); strings read lexically"
        return lexical, Skipped(Location(source.rel), Stage.DETECT, reason[:500])
    return merge(source, lexical, evidence), None


class PythonSourceDetector(Detector):
    """String literals of ``.py`` files judged by the recognizer, with loaders followed by ast."""

    name = "python"
    suffixes = frozenset({".py", ".pyw", ".pyi"})
    keywords = prefilter_words() or ()
    version = 2

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency | Skipped]:
        literals, skipped = python_literals(source)
        found: list[ModelReference | Dependency | Skipped] = list(
            python_references(source, literals, self.name)
        )
        if skipped is not None:
            found.append(skipped)
        return found


def python_references(
    source: SourceFile, literals: list[Literal], detector: str
) -> list[ModelReference]:
    """References of a Python text, and the pending notes that link constants across modules."""
    uses = [lit for lit in literals if lit.context.get(PENDING) == "use"]
    plain = [lit for lit in literals if lit.context.get(PENDING) != "use"]
    judged = verdicts(plain)
    refs = to_references(source, judged, detector)
    accepted = {id(lit) for lit, _ in judged}
    for lit in uses:
        line, column = position(source, lit)
        ctx = {**lit.context, "expect": lit.expect.value, "loader": lit.call}
        if lit.provider:
            ctx["provider"] = lit.provider
        loc = Location(source.rel, line, column)
        refs.append(ModelReference(RefKind.API_MODEL, lit.value, loc, detector, ctx))
    for lit in plain:
        if id(lit) in accepted or lit.site is not Site.VALUE or not lit.key or lit.in_comment:
            continue
        if lit.line is not None:
            continue
        start = source.text.rfind("\n", 0, max(lit.offset, 0)) + 1
        if not source.text.startswith(lit.key, start) or intrinsic(lit.value) is None:
            continue  # not a module-level ``NAME = "…"``
        line, column = position(source, lit)
        refs.append(export(lit.value, lit.key, source.rel, line, column))
    return refs
