"""What a Jinja template's expressions can be, without rendering it: an abstract evaluation.

A chat template can build an attribute name instead of writing it (``'__in' ~ 'it__'``, a
``{% set %}`` variable, a loop over a list of names, a macro argument, ``|reverse``,
``|replace``) and use it as a subscript, which Jinja turns into ``getattr`` when the item
lookup fails. So names are not matched in the text: every expression is evaluated to an
abstract value, with assignments, loop targets, namespace attributes and macro parameters
solved together (flow-insensitively, to a fixed point), and every attribute or item access
is judged on the set of names its key can take.

Values: a finite set of constant strings; a number; *data* (what the conversation and tools
passed in at render time supply); an *object* (a Jinja global, a literal, a namespace, a
macro and what is reached from them); or *unknown* (computed from constants in a way this
evaluation does not follow: never trusted as a key).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from jinja2 import nodes

#: More possible strings than this and a value is unknown.
MAX_STRINGS = 64
#: Fixed-point rounds over the template's assignments.
MAX_ROUNDS = 12

STR, NUM, DATA, OBJ, UNKNOWN = "str", "num", "data", "obj", "unknown"
#: Jinja's own globals and those transformers adds: objects, not conversation data.
OBJECT_GLOBALS = frozenset(
    {"cycler", "joiner", "namespace", "lipsum", "range", "dict", "self", "loop", "caller",
     "varargs", "kwargs", "raise_exception", "strftime_now"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Value:
    """An abstract value: ``strings`` is set when ``kind`` is ``str``."""

    kind: str
    strings: frozenset[str] = frozenset()

    @staticmethod
    def of(*texts: str) -> Value:
        return Value(STR, frozenset(texts))


@dataclass(frozen=True, slots=True)
class _Elements:
    """A loop's iterable, standing for the values its target takes."""

    node: nodes.Node


@dataclass(frozen=True, slots=True)
class _Parts:
    """A value unpacked into several targets."""

    node: nodes.Node


Expr = nodes.Node | Value | _Elements | _Parts

_NUM = Value(NUM)
_DATA = Value(DATA)
_OBJ = Value(OBJ)
_UNKNOWN = Value(UNKNOWN)
_ORDER = {NUM: 0, STR: 1, DATA: 2, OBJ: 2, UNKNOWN: 3}


def join(a: Value | None, b: Value) -> Value:
    """The least value both ``a`` and ``b`` can be: their constant strings together, and the
    widest of their other kinds (a number beside strings adds nothing a key could misuse)."""
    if a is None or a == b:
        return b
    strings = a.strings | b.strings
    if len(strings) > MAX_STRINGS:
        return _UNKNOWN
    kinds = {a.kind, b.kind} - {STR}
    if not kinds or (kinds == {NUM} and strings):
        kind = STR
    elif UNKNOWN in kinds or {DATA, OBJ} <= kinds:
        kind = UNKNOWN
    else:
        kind = DATA if DATA in kinds else OBJ if OBJ in kinds else NUM
    return Value(kind, strings)


def _combine(parts: list[Value]) -> Value:
    """String concatenation of ``parts`` (``~``, ``+`` on strings, ``join``)."""
    if any(p.kind in (UNKNOWN, NUM) for p in parts):
        return _UNKNOWN  # a number's text is not tracked: the result could be any name
    if any(p.kind in (DATA, OBJ) for p in parts):
        return _DATA if all(p.kind in (DATA, STR) for p in parts) else _UNKNOWN
    out = {""}
    for p in parts:
        texts = p.strings
        out = {a + b for a in out for b in texts}
        if len(out) > MAX_STRINGS:
            return _UNKNOWN
    return Value(STR, frozenset(out))


def _map_strings(v: Value, fn: object, *args: object) -> Value:
    """A string function applied to every constant ``v`` may be; data stays data."""
    if v.kind in (OBJ, UNKNOWN):
        return _UNKNOWN
    try:
        out = frozenset(str(fn(s, *args)) for s in v.strings)  # type: ignore[operator]
    except (TypeError, ValueError, IndexError):
        return _UNKNOWN
    return Value(v.kind, out)


#: String filters and methods whose result on constant strings this evaluation computes.
_STRING_FUNCS = {
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "capitalize": str.capitalize,
    "trim": str.strip,
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "string": str,
    "reverse": lambda s: s[::-1],
    "swapcase": str.swapcase,
    "casefold": str.casefold,
}


class Evaluator:
    """Abstract values of a parsed template's expressions under solved variables."""

    def __init__(self, tree: nodes.Template, constants: Mapping[str, str]) -> None:
        self.tree = tree
        self.env: dict[str, Value] = {k: Value.of(v) for k, v in constants.items()}
        self.assigned: set[str] = set()
        self._solve()

    # -- variables -----------------------------------------------------------------------------
    def _bindings(self) -> Iterator[tuple[str, Expr]]:
        """Every (name, expression or value) a template binds: set, for, with, macro params."""
        for node in self.tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.For, nodes.With)):
            if isinstance(node, nodes.Assign):
                yield from self._targets(node.target, node.node)
                call = node.node
                if (
                    isinstance(node.target, nodes.Name)
                    and isinstance(call, nodes.Call)
                    and isinstance(call.node, nodes.Name)
                    and call.node.name == "namespace"
                ):
                    for kw in call.kwargs:  # namespace(k=v): the attribute ns.k starts as v
                        yield f"{node.target.name}.{kw.key}", kw.value
            elif isinstance(node, nodes.AssignBlock):
                yield from self._targets(node.target, _block_text(node.body))
            elif isinstance(node, nodes.For):
                yield from self._targets(node.target, _Elements(node.iter))
            elif isinstance(node, nodes.With):
                for target, value in zip(node.targets, node.values, strict=False):
                    yield from self._targets(target, value)
        macros = {m.name: m for m in self.tree.find_all(nodes.Macro)}
        for macro in macros.values():
            first_default = len(macro.args) - len(macro.defaults)
            for i, default in enumerate(macro.defaults):
                yield macro.args[first_default + i].name, default
        for call in self.tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in macros:
                macro = macros[call.node.name]
                for arg, value in zip(macro.args, call.args, strict=False):
                    yield arg.name, value
                for kw in call.kwargs:
                    yield kw.key, kw.value

    def _targets(self, target: nodes.Node, value: Expr) -> Iterator[tuple[str, Expr]]:
        if isinstance(target, nodes.Name):
            yield target.name, value
        elif isinstance(target, nodes.NSRef):
            yield f"{target.name}.{target.attr}", value
        elif isinstance(target, nodes.Tuple):
            inner: Expr = _Parts(value) if isinstance(value, nodes.Node) else value
            for item in target.items:
                yield from self._targets(item, inner)

    def _solve(self) -> None:
        bindings = list(self._bindings())
        self.assigned = {name for name, _ in bindings}
        for _ in range(MAX_ROUNDS):
            changed = False
            for name, expr in bindings:
                value = expr if isinstance(expr, Value) else self.value(expr)
                new = join(self.env.get(name), value)
                if new != self.env.get(name):
                    self.env[name] = new
                    changed = True
            if not changed:
                return
        for name in self.assigned:  # no fixed point in time: trust nothing bound here
            self.env[name] = _UNKNOWN

    # -- expressions ---------------------------------------------------------------------------
    def value(self, node: Expr) -> Value:
        if isinstance(node, Value):
            return node
        if isinstance(node, _Elements):
            return self._elements(node.node)
        if isinstance(node, _Parts):
            whole = self.value(node.node)
            return whole if whole.kind in (DATA, UNKNOWN) else _UNKNOWN
        if isinstance(node, nodes.Const):
            if isinstance(node.value, str):
                return Value.of(node.value)
            return _NUM
        if isinstance(node, nodes.TemplateData):
            return Value.of(node.data)
        if isinstance(node, nodes.Name):
            if node.name in self.env:
                return self.env[node.name]
            return _OBJ if node.name in OBJECT_GLOBALS else _DATA
        if isinstance(node, nodes.Concat):
            return _combine([self.value(n) for n in node.nodes])
        if isinstance(node, nodes.Add):
            left, right = self.value(node.left), self.value(node.right)
            if NUM in (left.kind, right.kind) and STR not in (left.kind, right.kind):
                return _NUM
            return _combine([left, right])
        if isinstance(node, nodes.Mod):
            return self._percent(node)
        if isinstance(node, nodes.Mul):
            left, right = self.value(node.left), self.value(node.right)
            if left.kind == STR and right.kind == NUM:
                return _UNKNOWN  # 'ab' * n: never a name worth trusting
            return _NUM if left.kind == NUM and right.kind == NUM else _UNKNOWN
        if isinstance(
            node, (nodes.Sub, nodes.Div, nodes.FloorDiv, nodes.Pow, nodes.Neg, nodes.Pos)
        ):
            return _NUM
        if isinstance(node, (nodes.Compare, nodes.Not, nodes.And, nodes.Or, nodes.Test)):
            if isinstance(node, (nodes.And, nodes.Or)):
                return join(self.value(node.left), self.value(node.right))
            return _NUM
        if isinstance(node, nodes.CondExpr):
            other = self.value(node.expr2) if node.expr2 is not None else Value.of("")
            return join(self.value(node.expr1), other)
        if isinstance(node, (nodes.List, nodes.Tuple, nodes.Dict)):
            # A literal is a container of the template's own values; looking a name up in
            # it (a type map keyed by a tool's field) reads data, not an object's internals.
            return _DATA
        if isinstance(node, nodes.Getattr):
            if isinstance(node.node, nodes.Name):
                bound = self.env.get(f"{node.node.name}.{node.attr}")
                if bound is not None:
                    return bound  # a namespace attribute the template sets
                if node.node.name == "loop" and node.attr in _LOOP_NUMBERS:
                    return _NUM
            return self._reached(self.value(node.node))
        if isinstance(node, nodes.Getitem):
            return self._item(node)
        if isinstance(node, nodes.Slice):
            return _NUM
        if isinstance(node, nodes.Filter):
            return self._filter(node)
        if isinstance(node, nodes.Call):
            return self._call(node)
        return _UNKNOWN

    def _reached(self, base: Value) -> Value:
        """What an attribute or item of ``base`` is: data stays data, all else is an object."""
        return _DATA if base.kind == DATA else _OBJ

    def _item(self, node: nodes.Getitem) -> Value:
        base, key = self.value(node.node), node.arg
        if base.kind == STR and isinstance(key, nodes.Slice):
            bounds = [self._int(k) for k in (key.start, key.stop, key.step)]
            if all(b is not _MISSING for b in bounds):
                start, stop, step = bounds
                return _map_strings(base, lambda s: s[slice(start, stop, step)])
            return _UNKNOWN
        if base.kind == STR and self._int(key) is not _MISSING:
            index = self._int(key)
            return _map_strings(base, lambda s: s[index])
        return self._reached(base)

    def _int(self, node: nodes.Node | None) -> object:
        if node is None:
            return None
        if isinstance(node, nodes.Const) and isinstance(node.value, int):
            return node.value
        if isinstance(node, nodes.Neg) and isinstance(node.node, nodes.Const):
            value = node.node.value
            return -value if isinstance(value, int) else _MISSING
        return _MISSING

    def _percent(self, node: nodes.Mod) -> Value:
        fmt = self.value(node.left)
        if fmt.kind != STR:
            return _NUM if fmt.kind == NUM else _UNKNOWN
        right = node.right
        args = right.items if isinstance(right, nodes.Tuple) else [right]
        values = [self.value(a) for a in args]
        if not all(v.kind == STR and len(v.strings) == 1 for v in values):
            # '%c' % 95 builds '_': a number formatted in is as unknown as a computed name.
            return _DATA if all(v.kind in (DATA, STR) for v in values) else _UNKNOWN
        try:
            texts = tuple(next(iter(v.strings)) for v in values)
            return Value(STR, frozenset(f % texts for f in fmt.strings))
        except (TypeError, ValueError):
            return _UNKNOWN

    def _elements(self, node: nodes.Node) -> Value:
        """What a loop over ``node`` binds to its target."""
        if isinstance(node, (nodes.List, nodes.Tuple)):
            out: Value | None = None
            for item in node.items:
                out = join(out, self.value(item))
            return out or _UNKNOWN
        if isinstance(node, nodes.Dict):
            out = None
            for pair in node.items:
                out = join(out, self.value(pair.key))
            return out or _UNKNOWN
        whole = self.value(node)
        if whole.kind == STR:
            chars = frozenset(c for s in whole.strings for c in s)
            return Value(STR, chars) if len(chars) <= MAX_STRINGS else _UNKNOWN
        return _DATA if whole.kind == DATA else _NUM if whole.kind == NUM else _UNKNOWN

    def _filter(self, node: nodes.Filter) -> Value:
        base = self.value(node.node) if node.node is not None else _UNKNOWN
        name = node.name
        args = [self.value(a) for a in node.args]
        if name in _STRING_FUNCS:
            return _map_strings(base, _STRING_FUNCS[name])
        if name == "replace" and len(args) >= 2 and all(a.kind == STR for a in args[:2]):
            out: Value | None = None
            for old in args[0].strings:
                for new in args[1].strings:
                    out = join(out, _map_strings(base, str.replace, old, new))
            return out or _UNKNOWN
        if name == "join":
            if isinstance(node.node, (nodes.List, nodes.Tuple)):
                sep = args[0] if args else Value.of("")
                parts: list[Value] = []
                for i, item in enumerate(node.node.items):
                    if i:
                        parts.append(sep)
                    parts.append(self.value(item))
                return _combine(parts)
            return _DATA if base.kind == DATA else _UNKNOWN
        if name == "format":
            return self._percent(nodes.Mod(node.node, nodes.Tuple(list(node.args), "load")))
        if name in ("first", "last", "random"):
            return self._elements(node.node) if node.node is not None else _UNKNOWN
        if name in ("length", "count", "int", "float", "abs", "round", "sum", "wordcount"):
            return _NUM
        if name in ("default", "d"):
            return join(base, args[0]) if args else base
        if name in ("tojson", "safe", "escape", "e", "forceescape", "indent", "center"):
            return _DATA if base.kind == DATA else _UNKNOWN if base.kind != STR else base
        if name == "attr":
            return self._reached(base)
        return _DATA if base.kind == DATA else _UNKNOWN

    def _call(self, node: nodes.Call) -> Value:
        fn = node.node
        if isinstance(fn, nodes.Getattr):
            base = self.value(fn.node)
            method = fn.attr
            args = [self.value(a) for a in node.args]
            if base.kind == STR and method in _STRING_FUNCS:
                return _map_strings(base, _STRING_FUNCS[method])
            if base.kind == STR and method == "replace" and len(args) >= 2:
                if all(a.kind == STR for a in args[:2]):
                    out: Value | None = None
                    for old in args[0].strings:
                        for new in args[1].strings:
                            out = join(out, _map_strings(base, str.replace, old, new))
                    return out or _UNKNOWN
                return _UNKNOWN
            if base.kind == STR and method == "join" and node.args:
                seq = node.args[0]
                if isinstance(seq, (nodes.List, nodes.Tuple)):
                    parts: list[Value] = []
                    for i, item in enumerate(seq.items):
                        if i:
                            parts.append(base)
                        parts.append(self.value(item))
                    return _combine(parts)
                return _UNKNOWN
            if base.kind == STR and method == "format":
                return self._percent(nodes.Mod(fn.node, nodes.Tuple(list(node.args), "load")))
            if base.kind == DATA:
                return _DATA
            return _OBJ if base.kind == OBJ else _UNKNOWN
        if isinstance(fn, nodes.Name) and fn.name in (
            "range",
            "namespace",
            "dict",
            "cycler",
            "joiner",
        ):
            return _OBJ
        return _UNKNOWN


_MISSING = object()
#: Attributes of Jinja's ``loop`` that are numbers or booleans.
_LOOP_NUMBERS = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"}
)


def _block_text(body: list[nodes.Node]) -> Value:
    """A ``{% set x %}...{% endset %}`` block of plain text is that text; anything else in it
    makes the value unknown."""
    parts: list[str] = []
    for node in body:
        if not isinstance(node, nodes.Output):
            return _UNKNOWN
        for item in node.nodes:
            if not isinstance(item, nodes.TemplateData):
                return _UNKNOWN
            parts.append(item.data)
    return Value.of("".join(parts))
