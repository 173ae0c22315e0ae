"""Constants defined in one Python module and passed to a loader in another, linked after a scan.

The Python detector cannot see another file (its output is cached per file), so it leaves two
kinds of pending notes among its references: an *export* (a module-level ``NAME = "…"`` whose
string alone was not enough to be a reference) and a *use* (a loader argument that is a name
imported from another module). :func:`link` drops the notes and, where a use meets the export it
names, judges the export's string with the loader's evidence and reports it where it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.recognizer import judge
from modeldeps.model import ContextValue, Location, ModelReference

PENDING = "pending"


def module_of(rel: str) -> str:
    """Dotted module name of a Python file path (``pkg/sub/__init__.py`` -> ``pkg.sub``)."""
    stem = rel.removesuffix(".py").removesuffix(".pyw")
    parts = [p for p in stem.split("/") if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def export(ref_value: str, name: str, rel: str, line: int, column: int | None) -> ModelReference:
    """The pending note for a module-level constant whose string is not a reference alone."""
    from modeldeps.model import RefKind

    ctx: dict[str, ContextValue] = {PENDING: "export", "module": module_of(rel), "name": name}
    return ModelReference(RefKind.API_MODEL, ref_value, Location(rel, line, column), "python", ctx)


def _matches(exported: str, used: str) -> bool:
    """``pkg.consts`` answers an import written ``pkg.consts``, ``consts`` or ``.consts``."""
    return exported == used or exported.endswith("." + used)


def _module_files(module: str, python_files: Sequence[str]) -> list[str]:
    """Scanned files that may hold ``module`` (``a.b`` -> ``a/b.py``, ``…/a/b/__init__.py``)."""
    path = module.replace(".", "/")
    wanted = (f"{path}.py", f"{path}/__init__.py")
    return [f for f in python_files if f in wanted or f.endswith(tuple("/" + w for w in wanted))]


def _one_per_place(references: Iterable[ModelReference]) -> list[ModelReference]:
    """One reference per (file, line, kind, value): two detectors reading the same line (the
    config and infrastructure detectors on a compose ``command:``) report it once, with both
    contexts (the first detector's values win)."""
    merged: dict[tuple[str, int | None, str, str], ModelReference] = {}
    for ref in references:
        key = (ref.location.path, ref.location.line, ref.kind.value, ref.value)
        if ref.context.get(PENDING):
            key = (*key[:3], f"{key[3]}\0{ref.context.get(PENDING)}")
        first = merged.get(key)
        if first is None:
            merged[key] = ref
        else:
            merged[key] = replace(first, context={**ref.context, **first.context})
    return list(merged.values())


def link(
    references: Iterable[ModelReference],
    python_files: Sequence[str] = (),
    read: Callable[[str], Iterable[ModelReference]] | None = None,
) -> list[ModelReference]:
    """The references without pending notes, plus those that uses and exports make together.

    A module whose file the prefilter passed over (``NAME = "acme-chat-9"`` alone holds no word
    the prefilter knows) is read through ``read`` when a use names it.
    """
    final: list[ModelReference] = []
    exports: dict[str, list[ModelReference]] = {}
    uses: list[ModelReference] = []
    for ref in _one_per_place(references):
        kind = ref.context.get(PENDING)
        if kind == "export":
            exports.setdefault(str(ref.context.get("name")), []).append(ref)
        elif kind == "use":
            uses.append(ref)
        else:
            final.append(ref)
    if not uses:
        return final
    seen_files = {r.location.path for refs in exports.values() for r in refs}
    if read is not None:
        for module in sorted({str(u.context.get("module", "")) for u in uses}):
            for rel in _module_files(module, python_files):
                if rel in seen_files:
                    continue
                seen_files.add(rel)
                for ref in read(rel):
                    if ref.context.get(PENDING) == "export":
                        exports.setdefault(str(ref.context.get("name")), []).append(ref)
    if not exports:
        return final
    seen = {(r.location.path, r.location.line, r.value) for r in final}
    for use in uses:
        module = str(use.context.get("module", ""))
        candidates = [
            e for e in exports.get(str(use.context.get("name")), [])
            if _matches(str(e.context.get("module", "")), module)
        ]  # fmt: skip
        if not candidates:
            continue
        # several modules of that name: the one nearest the use
        folder = use.location.path.rsplit("/", 1)[0]
        found = sorted(candidates, key=lambda e: not e.location.path.startswith(folder))[0]
        expect_text = str(use.context.get("expect", Expect.ANY.value))
        literal = Literal(
            found.value,
            site=Site.ARGUMENT,
            key=str(use.context.get("key", "")),
            call=str(use.context.get("loader", "")),
            expect=Expect(expect_text) if expect_text in Expect._value2member_map_ else Expect.ANY,
            provider=str(use.context["provider"]) if use.context.get("provider") else None,
            line=found.location.line,
            column=found.location.column,
        )
        verdict = judge(literal)
        if verdict is None:
            continue
        mark = (found.location.path, found.location.line, verdict.value)
        if mark in seen:
            continue
        seen.add(mark)
        ctx = {**verdict.context, "via": str(found.context.get("name"))}
        ctx["used_in"] = f"{use.location.path}:{use.location.line}"
        final.append(
            replace(found, kind=verdict.kind, value=verdict.value, context=ctx, detector="python")
        )
    return final
