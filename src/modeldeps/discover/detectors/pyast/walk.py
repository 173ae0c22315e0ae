"""Cheap traversal: statements only, and expressions only where a relevant line is touched."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator

from modeldeps.discover.detectors.pyast.triggers import PACKAGES, trigger_offsets

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")

#: Top-level packages whose imported names make a line worth analysing: the import triggers
#: plus libraries that are only ever reached through a trigger call (``from_pretrained``).
AI_PACKAGES = frozenset(PACKAGES) | frozenset(
    {
        "transformers",
        "diffusers",
        "peft",
        "huggingface_hub",
        "sentence_transformers",
        "timm",
        "open_clip",
        "safetensors",
        "google",
    }
)


#: Extra words that make a line worth analysing once the file passed the trigger gate.
_LINE_HINTS = ("model", "Model", "MODEL", "llm", "LLM", ".pull(")


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body and of its compound statements, not entering defs (yielded)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, DEFS):
            continue
        inner: list[ast.stmt] = []
        for name in _BODIES:
            for child in getattr(stmt, name, ()):
                if isinstance(child, ast.stmt):
                    inner.append(child)
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    inner.extend(child.body)
        stack.extend(reversed(inner))


def all_statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement in the module, defs included (for imports anywhere)."""
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        stmt = stack.pop()
        yield stmt
        inner: list[ast.stmt] = []
        for name in _BODIES:
            for child in getattr(stmt, name, ()):
                if isinstance(child, ast.stmt):
                    inner.append(child)
                elif isinstance(child, ast.ExceptHandler | ast.match_case):
                    inner.extend(child.body)
        stack.extend(reversed(inner))


def own_expressions(stmt: ast.stmt) -> Iterator[ast.AST]:
    """Every expression node of ``stmt`` itself (a compound statement's header, not its body)."""
    if isinstance(stmt, DEFS):
        return
    for name, value in ast.iter_fields(stmt):
        if name in _BODIES:
            continue
        roots = value if isinstance(value, list) else [value]
        for root in roots:
            if isinstance(root, ast.AST) and not isinstance(root, ast.stmt):
                yield from ast.walk(root)


def collect_imports(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted imported name, from imports anywhere in the module."""
    imports: dict[str, str] = {}
    for node in all_statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    imports[alias.asname or alias.name] = f"{module}.{alias.name}".lstrip(".")
    return imports


class Relevance:
    """Lines that carry a trigger word or a name imported from an AI package."""

    def __init__(self, text: str, imports: dict[str, str]) -> None:
        offsets = list(trigger_offsets(text))
        # Lines naming a model in any way (``model=TIERS[...]`` on a client made elsewhere).
        for hint in _LINE_HINTS:
            pos = text.find(hint)
            while pos >= 0:
                offsets.append(pos)
                pos = text.find(hint, pos + 1)
        names = sorted(
            local
            for local, target in imports.items()
            if _top(target) in AI_PACKAGES or _top(target).startswith(("langchain", "llama_index"))
        )
        if names:
            alias_re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
            offsets.extend(m.start() for m in alias_re.finditer(text))
        offsets.sort()
        lines: list[int] = []
        line, last = 1, 0
        for off in offsets:
            line += text.count("\n", last, off)
            last = off
            if not lines or lines[-1] != line:
                lines.append(line)
        self.lines = lines

    def touches(self, node: ast.stmt) -> bool:
        """Whether a relevant line lies within ``node``'s lines."""
        i = bisect.bisect_left(self.lines, node.lineno)
        return i < len(self.lines) and self.lines[i] <= (node.end_lineno or node.lineno)


def _top(dotted: str) -> str:
    return dotted.split(".", 1)[0]
