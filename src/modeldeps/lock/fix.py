"""``lock --fix``: add ``revision="<commit>"`` to Python loader calls, by exact source positions.

The source is parsed with ``ast`` (never imported or run); an edit is text inserted at the byte
position the parser reports, and the edited file must parse again before it is offered.
"""

from __future__ import annotations

import ast
import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from modeldeps.lock.build import hub_repo, requested_revision
from modeldeps.lock.lockfile import SHA1, Lockfile
from modeldeps.lock.stores import Escape, inside
from modeldeps.model import ModelReference, RefKind

#: Loaders that accept ``revision=`` besides every ``*.from_pretrained``.
REVISION_LOADERS = frozenset(
    {
        "pipeline",
        "hf_hub_download",
        "snapshot_download",
        "hf_hub_url",
        "SentenceTransformer",
        "CrossEncoder",
        "LLM",
        "EngineArgs",
        "AsyncEngineArgs",
        "AutoConfig",
    }
)


def _callee(func: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def takes_revision(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.endswith("from_pretrained") or last in REVISION_LOADERS


@dataclass
class FilePlan:
    """The edits to one file: its text before and after, and what was changed."""

    path: str
    before: str
    after: str
    changes: list[str] = field(default_factory=list)


@dataclass
class FixPlan:
    """Every file to change, and every reference that could not be fixed, with why."""

    files: list[FilePlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def diff(self) -> str:
        out: list[str] = []
        for f in self.files:
            out += difflib.unified_diff(
                f.before.splitlines(keepends=True),
                f.after.splitlines(keepends=True),
                fromfile=f"a/{f.path}",
                tofile=f"b/{f.path}",
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in out)


class _Source:
    """A file's text with the parser's (line, byte column) positions mapped to text offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def indent(self, lineno: int) -> str:
        line = self.lines[lineno - 1]
        return line[: len(line) - len(line.lstrip(" \t"))]


def _call_at(tree: ast.AST, line: int, loader: str | None) -> ast.Call | None:
    """The innermost revision-taking call spanning ``line`` (matching the detector's loader)."""
    best: ast.Call | None = None
    want = loader.rsplit(".", 1)[-1] if loader else None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or node.end_lineno is None:
            continue
        if not node.lineno <= line <= node.end_lineno:
            continue
        name = _callee(node.func)
        if not takes_revision(name) or (want and name.rsplit(".", 1)[-1] != want):
            continue
        if best is None or (node.lineno, node.col_offset) > (best.lineno, best.col_offset):
            best = node
    return best


def _edit(src: _Source, call: ast.Call, commit: str) -> tuple[int, int, str] | str:
    """``(start, end, replacement)`` adding or setting ``revision``; a string says why not."""
    value = f'"{commit}"'
    for kw in call.keywords:
        if kw.arg != "revision":
            continue
        if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            assert kw.value.end_lineno is not None and kw.value.end_col_offset is not None
            start = src.offset(kw.value.lineno, kw.value.col_offset)
            end = src.offset(kw.value.end_lineno, kw.value.end_col_offset)
            return start, end, value
        return "its revision= is an expression; set it to the locked commit by hand"
    assert call.end_lineno is not None and call.end_col_offset is not None
    close = src.offset(call.end_lineno, call.end_col_offset) - 1  # the ")"
    args: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if not args:
        return close, close, f"revision={value}"
    last = max(args, key=lambda a: (a.end_lineno or 0, a.end_col_offset or 0))
    assert last.end_lineno is not None and last.end_col_offset is not None
    end = src.offset(last.end_lineno, last.end_col_offset)
    between = src.text[end:close]
    comma = between.find(",")
    if "\n" in between:  # one argument per line: add ours on a line of its own
        indent = src.indent(last.lineno)
        if comma >= 0:
            return end + comma + 1, end + comma + 1, f"\n{indent}revision={value},"
        return end, end, f",\n{indent}revision={value}"
    if comma >= 0:
        return end + comma + 1, end + comma + 1, f" revision={value}"
    return end, end, f", revision={value}"


def _plan_file(
    root: Path, rel: str, refs: list[ModelReference], lock: Lockfile, max_bytes: int
) -> tuple[FilePlan | None, list[str]]:
    real_root = root.resolve()
    try:
        path = inside(real_root / rel, real_root)
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except (OSError, Escape) as exc:
        return None, [f"{rel}: cannot be read ({exc})"]
    if len(raw) > max_bytes:
        return None, [f"{rel}: larger than {max_bytes} bytes; not edited"]
    try:
        text = raw.decode("utf-8")
        src = _Source(text)
        tree = ast.parse(text, filename=rel)
    except (UnicodeDecodeError, SyntaxError, ValueError) as exc:
        return None, [f"{rel}: cannot be parsed ({exc})"]
    edits: dict[tuple[int, int], tuple[int, int, str, str]] = {}
    notes: list[str] = []
    for ref in sorted(refs, key=lambda r: r.location.line or 0):
        repo = hub_repo(ref.value)
        requested = requested_revision(ref)
        where = f"{rel}:{ref.location.line}"
        pin = lock.hub_pin(repo, requested) if repo else None
        if pin is None or not pin.pinned or pin.revision is None:
            if repo:
                notes.append(f"{where}: {repo} is not pinned in the lock; run `modeldeps lock`")
            continue
        loader = ref.context.get("loader")
        call = _call_at(tree, ref.location.line or 0, loader if isinstance(loader, str) else None)
        if call is None:
            via = ref.context.get("via")
            hint = f" (the name flows through {via})" if via else ""
            notes.append(f"{where}: no loader call taking revision= here{hint}; add it by hand")
            continue
        got = _edit(src, call, pin.revision)
        if isinstance(got, str):
            notes.append(f"{where}: {got}")
            continue
        edits[(call.lineno, call.col_offset)] = (*got, f"{where}: {repo} → revision {pin.revision}")
    if not edits:
        return None, notes
    after = text
    for start, end, new, _ in sorted(edits.values(), reverse=True):
        after = after[:start] + new + after[end:]
    try:
        ast.parse(after, filename=rel)
    except SyntaxError as exc:  # never offer an edit that breaks the file
        return None, [*notes, f"{rel}: the edit would not parse ({exc.msg}); not changed"]
    changes = [c for *_, c in sorted(edits.values())]
    return FilePlan(rel, text, after, changes), notes


def plan_fixes(
    root: Path, refs: Iterable[ModelReference], lock: Lockfile, max_bytes: int = 4 * 1024 * 1024
) -> FixPlan:
    """Edits pinning every unpinned Hub reference in a Python file to the lock's commit."""
    by_file: dict[str, list[ModelReference]] = defaultdict(list)
    plan = FixPlan()
    for ref in refs:
        if ref.kind is not RefKind.HUB_MODEL:
            continue
        revision = ref.context.get("revision")
        if isinstance(revision, str) and SHA1.fullmatch(revision):
            continue  # already pinned in the code
        if ref.location.path.endswith(".py"):
            by_file[ref.location.path].append(ref)
        elif ref.location.path.endswith(".ipynb"):
            plan.notes.append(f"{ref.location}: notebooks are not edited; add revision= by hand")
    for rel in sorted(by_file):
        edited, notes = _plan_file(root, rel, by_file[rel], lock, max_bytes)
        if edited is not None:
            plan.files.append(edited)
        plan.notes += notes
    return plan


def apply(plan: FixPlan, root: Path) -> None:
    """Write the edited files (each replaced atomically)."""
    for f in plan.files:
        path = root / f.path
        tmp = path.with_name(f".{path.name}.modeldeps-fix")
        tmp.write_bytes(f.after.encode("utf-8"))
        tmp.replace(path)
