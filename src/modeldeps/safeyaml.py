"""The one YAML loader modeldeps uses: safe (plain data only) and bounded before it builds.

A few hundred bytes of YAML can describe billions of nodes through anchors and aliases (the
"billion laughs"): PyYAML builds it as a shared graph quickly, and whatever walks it next (a
schema validation, a JSON dump, a detector) expands it. Every YAML document modeldeps reads,
bundled or given by a user (knowledge-base overlays, usage and price files) or met in a
scanned repository (configs, model cards), goes through here: the event stream is checked
first, counting every node an alias would expand to, and the nesting depth, and the text is
refused before anything is constructed when either bound is passed.
"""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's parser and composer when PyYAML has them (about 8x faster), else pure Python.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Nodes a document may have once every alias is expanded; real files have thousands.
MAX_NODES = 1_000_000
#: Nesting of collections; real files have tens of levels.
MAX_DEPTH = 200
#: Characters of YAML text.
MAX_CHARS = 64 * 1024 * 1024


class YAMLLimitError(yaml.YAMLError):
    """A YAML text past a bound (expanded size, depth or length): refused, not built."""


def check(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``YAMLLimitError`` if ``text`` would expand past ``max_nodes`` nodes or nest past
    ``max_depth``; ``yaml.YAMLError`` if it does not parse.

    Without an anchor nothing can expand (a document has at most as many nodes as its text
    has tokens) and libyaml bounds flow nesting itself, so the event pass runs only on text
    that defines anchors.
    """
    if len(text) > MAX_CHARS:
        raise YAMLLimitError(f"YAML text of {len(text)} characters (limit {MAX_CHARS})")
    if "&" not in text:
        return
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, once expanded
    stack: list[list[Any]] = [[None, 0]]  # open collections: [anchor, nodes so far]
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) > max_depth:
                raise YAMLLimitError(f"YAML nested more than {max_depth} levels deep")
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, add = stack.pop()
            if anchor:
                sizes[anchor] = add
        elif isinstance(event, yaml.AliasEvent):
            add = sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            add = 1
            if event.anchor:
                sizes[event.anchor] = 1
        else:
            continue
        stack[-1][1] += add
        if stack[-1][1] > max_nodes:
            raise YAMLLimitError(f"YAML expands to more than {max_nodes} nodes through its aliases")


def load(text: str, **bounds: int) -> Any:
    """One YAML document as plain data, after ``check``. Raises ``yaml.YAMLError``."""
    check(text, **bounds)
    loader = LOADER(text)
    try:
        return loader.get_single_data()
    except RecursionError as exc:  # deeper than Python's own stack: refuse, do not crash
        raise YAMLLimitError("YAML nested too deeply to build") from exc
    finally:
        loader.dispose()


def compose_all(
    text: str, *, loader: type[yaml.SafeLoader] = LOADER, **bounds: int
) -> list[yaml.Node]:
    """Every document's node graph (with line numbers), after ``check``."""
    check(text, **bounds)
    try:
        return list(yaml.compose_all(text, Loader=loader))
    except RecursionError as exc:
        raise YAMLLimitError("YAML nested too deeply to build") from exc


def compose(
    text: str, *, loader: type[yaml.SafeLoader] = LOADER, **bounds: int
) -> yaml.Node | None:
    """One document's node graph, after ``check``."""
    check(text, **bounds)
    try:
        return yaml.compose(text, Loader=loader)
    except RecursionError as exc:
        raise YAMLLimitError("YAML nested too deeply to build") from exc
