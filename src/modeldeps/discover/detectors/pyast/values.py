"""Scopes and a bounded resolver that follows names to the string literals behind them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

#: How many names, subscripts and calls the resolver follows before giving up (cycles, chains).
MAX_DEPTH = 8

_ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "getenv", "environ.get"})


@dataclass(frozen=True, slots=True)
class Resolved:
    """A string a expression evaluates to, the literal that carries it, and how it got there."""

    value: str
    carrier: ast.expr  # the literal (or f-string) node the value comes from
    via: str | None = None  # first constant, variable or attribute the value flowed through
    env: str | None = None  # environment variable whose default supplied the value


@dataclass(eq=False)
class Scope:
    """Names bound in one module, class or function body (last binding wins)."""

    kind: str  # "module", "class" or "function"
    parent: Scope | None = None
    names: dict[str, ast.expr] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)  # parameters without a literal default
    attrs: dict[str, ast.expr] = field(default_factory=dict)  # class body and self.X bindings
    cls: Scope | None = None  # for a method: the class it belongs to


class Resolver:
    """Turns expressions into strings through constants, containers, env defaults, f-strings."""

    def __init__(self, imports: dict[str, str], classes: dict[str, Scope]) -> None:
        self.imports = imports
        self.classes = classes
        #: ids of literal nodes whose value reached a call site (not reported again on their own).
        self.consumed: set[int] = set()

    def lookup(self, name: str, scope: Scope | None) -> ast.expr | None:
        """The expression bound to ``name`` as seen from ``scope`` (class bodies are skipped)."""
        s = scope
        first = True
        while s is not None:
            if s.kind != "class" or first:
                if name in s.params:
                    return None
                if name in s.names:
                    return s.names[name]
            first = False
            s = s.parent
        return None

    def attr_binding(self, node: ast.Attribute, scope: Scope | None) -> ast.expr | None:
        """``self.X`` / ``cls.X`` / ``ClassName.X`` bound in a class body or a method."""
        base = node.value
        if not isinstance(base, ast.Name):
            return None
        owner: Scope | None = None
        if base.id in {"self", "cls"}:
            s = scope
            while s is not None and owner is None:
                owner = s.cls if s.kind == "function" else (s if s.kind == "class" else None)
                s = s.parent
        else:
            owner = self.classes.get(base.id)
        if owner is None:
            return None
        return owner.attrs.get(node.attr)

    def resolve(self, node: ast.expr, scope: Scope | None, depth: int = 0) -> Resolved | None:
        """The string ``node`` evaluates to, or ``None`` when it cannot be known statically."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Resolved(node.value, node)
            return None
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id, scope)
            return self._through(bound, node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            bound = self.attr_binding(node, scope)
            return self._through(bound, _dotted(node), scope, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, scope, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.resolve(node.left, scope, depth + 1)
            right = self.resolve(node.right, scope, depth + 1)
            if left is None or right is None:
                return None
            return Resolved(left.value + right.value, node, left.via or right.via)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # ``os.getenv("X") or "default"``: the first operand that is known statically.
            for value in node.values:
                got = self.resolve(value, scope, depth + 1)
                if got is not None:
                    return got
            return None
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        return None

    def _through(
        self, bound: ast.expr | None, name: str, scope: Scope | None, depth: int
    ) -> Resolved | None:
        if bound is None:
            return None
        got = self.resolve(bound, scope, depth + 1)
        if got is None:
            return None
        self.consumed.add(id(got.carrier))
        return Resolved(got.value, got.carrier, name, got.env)

    def _subscript(self, node: ast.Subscript, scope: Scope | None, depth: int) -> Resolved | None:
        container: ast.expr | None = node.value
        via: str | None = None
        if isinstance(container, ast.Name):
            via = container.id
            container = self.lookup(container.id, scope)
        elif isinstance(container, ast.Attribute):
            via = _dotted(container)
            container = self.attr_binding(container, scope)
        if container is None:
            return None
        if isinstance(node.slice, ast.Call | ast.Name | ast.Attribute):
            key = self.resolve(node.slice, scope, depth + 1)
            env_key = None
        else:
            key = None
            env_key = node.slice
        if isinstance(container, ast.Dict):
            wanted = key.value if key else _literal(env_key)
            for k, v in zip(container.keys, container.values, strict=False):
                if k is not None and _literal(k) == wanted:
                    got = self.resolve(v, scope, depth + 1)
                    if got is not None:
                        self.consumed.add(id(got.carrier))
                        return Resolved(got.value, got.carrier, got.via or via, got.env)
            return None
        if isinstance(container, ast.List | ast.Tuple):
            index = _literal(env_key)
            if isinstance(index, int) and -len(container.elts) <= index < len(container.elts):
                got = self.resolve(container.elts[index], scope, depth + 1)
                if got is not None:
                    self.consumed.add(id(got.carrier))
                    return Resolved(got.value, got.carrier, got.via or via, got.env)
        return None

    def _fstring(self, node: ast.JoinedStr, scope: Scope | None, depth: int) -> Resolved | None:
        parts: list[str] = []
        via: str | None = None
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            elif (
                isinstance(part, ast.FormattedValue)
                and part.format_spec is None
                and part.conversion in (-1, ord("s"))
            ):
                got = self.resolve(part.value, scope, depth + 1)
                if got is None:
                    return None
                parts.append(got.value)
                via = via or got.via
            else:
                return None
        return Resolved("".join(parts), node, via)

    def _call(self, node: ast.Call, scope: Scope | None, depth: int) -> Resolved | None:
        name = self.qualname(node.func)
        if name in _ENV_GETTERS or name.endswith(("os.getenv", "os.environ.get")):
            var = _literal(node.args[0]) if node.args else None
            default = node.args[1] if len(node.args) > 1 else None
            for kw in node.keywords:
                if kw.arg in {"default", "value"}:
                    default = kw.value
            if default is None:
                return None
            got = self.resolve(default, scope, depth + 1)
            if got is None:
                return None
            env = var if isinstance(var, str) else None
            return Resolved(got.value, got.carrier, got.via or env, env)
        if name in {"str", "Field", "pydantic.Field"} or name.endswith(".Field"):
            # ``str(X)`` and pydantic ``Field(default=...)`` / ``Field("x")`` pass values through.
            args: list[ast.expr] = list(node.args[:1])
            args += [kw.value for kw in node.keywords if kw.arg == "default"]
            for arg in args:
                got = self.resolve(arg, scope, depth + 1)
                if got is not None:
                    return got
        return None

    def qualname(self, node: ast.expr, scope: Scope | None = None, depth: int = 0) -> str:
        """Dotted name of a callee with imports applied (``AM`` → ``transformers.AutoModel``)."""
        return self.callee(node, scope, depth)[0]

    def callee(
        self, node: ast.expr, scope: Scope | None, depth: int = 0
    ) -> tuple[str, ast.Call | None]:
        """Dotted callee name (``openai.OpenAI().chat``) and the constructor call it came from."""
        if depth > MAX_DEPTH:
            return "?", None
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return self.imports[node.id], None
            bound = self.lookup(node.id, scope) if scope is not None else None
            if isinstance(bound, ast.Call):
                name, _ = self.callee(bound.func, scope, depth + 1)
                return name + "()", bound
            if isinstance(bound, ast.Name | ast.Attribute):
                return self.callee(bound, scope, depth + 1)
            return node.id, None
        if isinstance(node, ast.Attribute):
            bound = self.attr_binding(node, scope) if scope is not None else None
            if isinstance(bound, ast.Call):
                name, _ = self.callee(bound.func, scope, depth + 1)
                return name + "()", bound
            base, ctor = self.callee(node.value, scope, depth + 1)
            return f"{base}.{node.attr}", ctor
        if isinstance(node, ast.Call):
            name, _ = self.callee(node.func, scope, depth + 1)
            return name + "()", node
        return "?", None


def _literal(node: ast.expr | None) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        if isinstance(inner, int):
            return -inner
    return None


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def literal_bool(node: ast.expr | None) -> bool | None:
    """``True``/``False`` when ``node`` is that literal, else ``None``."""
    value = _literal(node)
    return value if isinstance(value, bool) else None


def literal_value(node: ast.expr | None) -> object:
    """The Python value of a literal node (str, int, bool, None), else ``None``."""
    return _literal(node)
