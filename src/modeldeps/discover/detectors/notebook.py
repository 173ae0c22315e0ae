"""Jupyter notebook detector: the Python analysis over code cells, lines mapped into the .ipynb."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from modeldeps.discover.detectors.infra import InfraDetector
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.python_source import parse_python, python_literals
from modeldeps.discover.detectors.recognizer import prefilter_words, references
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, Location, ModelReference, Skipped

#: Notebooks carry outputs (images, tables); the code is a small part. Cap the JSON we decode.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
#: Cells that fail to parse are dropped one at a time; past this many the notebook is skipped.
MAX_BAD_CELLS = 20

#: Cell magics whose body is Python; any other ``%%magic`` cell (bash, html, sql…) is skipped.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
_MAGIC_LINE_RE = re.compile(r"^(\s*)(?:[%!]|\w+\s*=\s*[%!])")
_HELP_LINE_RE = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")
_SOURCE_KEY_RE = re.compile(r'"source"\s*:\s*')
_SHELL_RE = re.compile(r"^\s*(?:\w+\s*=\s*)?!(.*)$")
# The JSON string scanner, typed loosely: it is not in the json module's public stubs.
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009


@dataclass(frozen=True, slots=True)
class _Cell:
    index: int
    code: str  # magics neutralised, one Python line per stored line
    json_lines: tuple[int, ...]  # stored .ipynb line of each code line
    shell: tuple[str, ...] = ()  # shell text of each line (``!cmd`` or a %%bash body), else ""


def shell_lines(code: str) -> tuple[str, ...]:
    """The shell command on each line of a cell: ``!cmd`` lines, or every line of a %%bash cell."""
    lines = code.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith(("%%bash", "%%sh", "%%script bash", "%%script sh")):
        return ("", *lines[1:])
    out: list[str] = []
    for line in lines:
        m = _SHELL_RE.match(line)
        out.append(m.group(1) if m else "")
    return tuple(out)


def neutralise_magics(code: str) -> str | None:
    """Replace IPython magics and shell escapes by ``pass`` at the same indentation.

    Lines keep their number so hits map back to the notebook; ``None`` for non-Python cells.
    """
    lines = code.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    out: list[str] = []
    continued = False
    for line in lines:
        m = _MAGIC_LINE_RE.match(line) or _HELP_LINE_RE.match(line)
        if continued or m:
            indent = m.group(1) if m else ""
            out.append(f"{indent}pass" if m else "")
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def _item_lines(source: SourceFile, start: int, items: list[str]) -> list[int] | None:
    """Stored line of each string in the JSON array at ``start``, or None if it does not match."""
    text = source.text
    pos = start
    if text.startswith("[", pos):
        pos += 1
    lines: list[int] = []
    for item in items:
        pos = text.find('"', pos)
        if pos < 0:
            return None
        try:
            decoded, end = _scanstring(text, pos + 1)
        except ValueError:
            return None
        if decoded != item:
            return None
        lines.append(source.line_of(pos))
        pos = end
    return lines


def _cells(source: SourceFile, doc: object) -> list[_Cell]:
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise DetectorError(f"{source.rel}: not a notebook (no cells list)")
    cells: list[_Cell] = []
    search_from = 0
    for index, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict):
            continue
        raw = cell.get("source", "")
        items = [raw] if isinstance(raw, str) else [s for s in raw if isinstance(s, str)]
        # Every cell has a source array in the stored text; find this cell's, in order.
        item_lines: list[int] | None = None
        for m in _SOURCE_KEY_RE.finditer(source.text, search_from):
            item_lines = _item_lines(source, m.end(), items)
            if item_lines is not None:
                search_from = m.end()
                break
        if cell.get("cell_type") != "code" or item_lines is None:
            continue
        json_lines: list[int] = []
        for item, line in zip(items, item_lines, strict=True):
            json_lines.extend([line] * (item.count("\n") + (0 if item.endswith("\n") else 1)))
        raw_code = "".join(items)
        shell = shell_lines(raw_code)
        code = neutralise_magics(raw_code)
        cells.append(_Cell(index, code or "", tuple(json_lines), shell))
    return cells


class NotebookDetector(Detector):
    """Model references in the code cells of ``.ipynb`` files (never markdown or outputs)."""

    name = "notebook"
    suffixes = frozenset({".ipynb"})
    keywords = prefilter_words() or ()
    version = 2

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency | Skipped]:
        if len(source.text) > MAX_NOTEBOOK_BYTES:
            raise DetectorError(f"{source.rel}: notebook larger than {MAX_NOTEBOOK_BYTES} bytes")
        try:
            doc = json.loads(source.text)
        except (ValueError, RecursionError) as exc:
            raise DetectorError(f"{source.rel}: invalid notebook JSON: {exc}") from None
        all_cells = _cells(source, doc)
        found: list[ModelReference | Dependency | Skipped] = list(self._shell(source, all_cells))
        cells = [c for c in all_cells if c.code.strip()]
        if not cells:
            return found
        # One module of all cells, so names defined in one cell reach calls in later cells;
        # cells that do not parse are dropped (their strings are still read lexically).
        for _ in range(MAX_BAD_CELLS):
            starts, code = _join(cells)
            try:
                parse_python(code, source.rel)
                break
            except DetectorError as exc:
                bad = _cell_at(starts, _error_line(str(exc)))
                if bad is None:
                    break
                del cells[bad]
                if not cells:
                    return found
        else:
            raise DetectorError(f"{source.rel}: more than {MAX_BAD_CELLS} cells do not parse")
        starts, code = _join(cells)
        module = SourceFile(source.rel, code)
        literals, skipped = python_literals(module)
        if skipped is not None:
            found.append(skipped)

        def stored(line: int) -> tuple[int, int]:
            i = _cell_at(starts, line) or 0
            cell = cells[i]
            return cell.json_lines[min(line - starts[i], len(cell.json_lines) - 1)], cell.index

        for ref in references(module, literals, self.name):
            line, index = stored(ref.location.line or 1)
            ctx = {**ref.context, "cell": index}
            used = ctx.get("used_at")
            if isinstance(used, int):
                ctx["used_at"] = stored(used)[0]
            found.append(replace(ref, location=Location(source.rel, line, None), context=ctx))
        return found

    def _shell(self, source: SourceFile, cells: list[_Cell]) -> Iterable[ModelReference]:
        """``!vllm serve …`` / ``!ollama pull …`` lines, read by the infrastructure detector."""
        text_lines: list[str] = []
        origin: list[tuple[int, int]] = []
        for cell in cells:
            for i, command in enumerate(cell.shell):
                if command.strip():
                    text_lines.append(command)
                    origin.append((cell.json_lines[min(i, len(cell.json_lines) - 1)], cell.index))
        if not text_lines:
            return
        script = SourceFile(source.rel + ".sh", "\n".join(text_lines) + "\n")
        for ref in InfraDetector().detect(script):
            if not isinstance(ref, ModelReference) or not ref.location.line:
                continue
            line, index = origin[ref.location.line - 1]
            ctx = {**ref.context, "cell": index}
            loc = Location(source.rel, line, None)
            yield ModelReference(ref.kind, ref.value, loc, self.name, ctx)


def _join(cells: list[_Cell]) -> tuple[list[int], str]:
    """The first line of each cell in the joined module, and the module's text."""
    starts: list[int] = []
    parts: list[str] = []
    line = 1
    for cell in cells:
        starts.append(line)
        parts.append(cell.code)
        line += cell.code.count("\n") + 1
    return starts, "\n".join(parts)


def _error_line(message: str) -> int | None:
    m = re.search(r":(\d+): syntax error", message)
    return int(m.group(1)) if m else None


def _cell_at(starts: list[int], line: int | None) -> int | None:
    if line is None:
        return None
    index = None
    for i, start in enumerate(starts):
        if start <= line:
            index = i
    return index
