"""Walks a parsed module: binds names per scope, matches calls to the loader table, yields hits."""

from __future__ import annotations

import ast

from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.pyast.loaders import (
    FRAMEWORK_MODEL_KEYWORDS,
    FRAMEWORK_PACKAGES,
    NEVER,
    URL_KEYWORDS,
    Kind,
    Rule,
    class_hint,
    default_host,
    match,
    sdk_operator,
)
from modeldeps.discover.detectors.pyast.values import (
    Resolved,
    Resolver,
    Scope,
    literal_bool,
    literal_value,
)
from modeldeps.discover.detectors.pyast.walk import (
    DEFS,
    Relevance,
    collect_imports,
    own_expressions,
    statements,
)
from modeldeps.discover.detectors.recognizer import provider_for_url
from modeldeps.model import ContextValue

_NOT_REPOS = frozenset({"dataset", "space"})
_EXPECT = {
    Kind.HUB: Expect.HUB,
    Kind.API: Expect.API,
    Kind.OLLAMA: Expect.OLLAMA,
    Kind.LOCAL: Expect.LOCAL,
    Kind.PROVIDER: Expect.PROVIDER,
    Kind.AUTO: Expect.ANY,
}


class Analyzer:
    """One module's analysis: build scopes, then visit every call with its scope.

    It yields the loader evidence for the literals it can follow into a call: which loader
    takes them, what kind of argument that is, the client's provider and call-site context.
    The recognizer decides; the lexical pass supplies every other literal of the file.
    """

    def __init__(self, tree: ast.Module, text: str) -> None:
        self.tree = tree
        self.classes: dict[str, Scope] = {}
        imports = collect_imports(tree)
        self.relevance = Relevance(text, imports)
        self.resolver = Resolver(imports, self.classes)
        self.work: list[tuple[Scope, list[ast.stmt]]] = []
        # (target name, value, scope) for every binding.
        self.bindings: list[tuple[str, ast.expr, Scope]] = []
        self.hits: list[Literal] = []
        self._seen: set[tuple[str, int, int]] = set()
        self._sdk_seen: set[str] = set()

    def run(self) -> list[Literal]:
        module = Scope("module")
        self._build(list(self.tree.body), module)
        touches = self.relevance.touches
        for scope, body in self.work:
            for stmt in statements(body):
                if isinstance(stmt, DEFS) or not touches(stmt):
                    continue
                for node in own_expressions(stmt):
                    if isinstance(node, ast.Call):
                        self._call(node, scope)
        for name, value, scope in self.bindings:
            if scope.kind in ("module", "class"):
                self._named_members(name, value, scope)
        return self.hits

    def _named_members(self, name: str, value: ast.expr, scope: Scope) -> None:
        """``MODELS = [GPT4, CLAUDE]``: the literals behind the names are members too."""
        elements: list[ast.expr] = []
        if isinstance(value, ast.List | ast.Tuple | ast.Set):
            elements = list(value.elts)
        elif isinstance(value, ast.Dict):
            elements = [k for k in value.keys if k is not None] + list(value.values)
        names = [e for e in elements if isinstance(e, ast.Name | ast.Attribute)]
        if not names:
            return
        group = value.lineno * 100_000 + value.col_offset + 1
        for element in names:
            got = self.resolver.resolve(element, scope)
            if got is None or not isinstance(got.carrier, ast.Constant):
                continue
            carrier = got.carrier
            mark = (got.value, carrier.lineno, carrier.col_offset + 1)
            if mark in self._seen:
                continue
            self._seen.add(mark)
            self.hits.append(
                Literal(
                    got.value,
                    site=Site.ELEMENT,
                    key=name,
                    group=group,
                    line=carrier.lineno,
                    column=carrier.col_offset + 1,
                    context={"via": got.via} if got.via else {},
                )
            )

    # --- scopes -------------------------------------------------------------------------------

    def _build(self, body: list[ast.stmt], scope: Scope) -> None:
        self.work.append((scope, body))
        nested: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
        for node in statements(body):
            if isinstance(node, DEFS):
                nested.append(node)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value, scope)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind(node.target, node.value, scope)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, item.context_expr, scope)
            elif isinstance(node, ast.For | ast.AsyncFor):
                for name in ast.walk(node.target):
                    if isinstance(name, ast.Name):
                        scope.params.add(name.id)
        touches = self.relevance.touches
        for d in nested:
            if isinstance(d, ast.ClassDef):
                cls = Scope("class", parent=scope)
                self.classes.setdefault(d.name, cls)
                for method in d.body:
                    if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and touches(
                        method
                    ):
                        self._self_attrs(method, cls)
                self._build(d.body, cls)
            elif touches(d):
                fn = Scope("function", parent=scope, cls=scope if scope.kind == "class" else None)
                if fn.cls is None and scope.kind == "function":
                    fn.cls = scope.cls
                self._params(d.args, fn)
                self._build(d.body, fn)

    def _bind(self, target: ast.expr, value: ast.expr, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
            scope.params.discard(target.id)
            if scope.kind == "class":
                scope.attrs[target.id] = value
            self.bindings.append((target.id, value, scope))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if target.value.id == "self" and scope.cls is not None:
                self.bindings.append((target.attr, value, scope))
        elif (
            isinstance(target, ast.Tuple | ast.List)
            and isinstance(value, ast.Tuple | ast.List)
            and len(target.elts) == len(value.elts)
        ):
            for t, v in zip(target.elts, value.elts, strict=True):
                self._bind(t, v, scope)

    @staticmethod
    def _self_attrs(method: ast.FunctionDef | ast.AsyncFunctionDef, cls: Scope) -> None:
        for node in statements(method.body):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            for t in targets:
                if (
                    value is not None
                    and isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ):
                    # A parameter stored on self is unknown; only keep expressions we can follow.
                    cls.attrs.setdefault(t.attr, value)

    @staticmethod
    def _params(args: ast.arguments, fn: Scope) -> None:
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        pairs = [
            *zip(positional, defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]
        for arg, default in pairs:
            if default is None:
                fn.params.add(arg.arg)
            else:
                fn.names[arg.arg] = default
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                fn.params.add(extra.arg)

    # --- calls --------------------------------------------------------------------------------

    def _call(self, call: ast.Call, scope: Scope) -> None:
        raw, ctor = self.resolver.callee(call.func, scope)
        qual = raw.replace("()", "")
        last = qual.rsplit(".", 1)[-1]
        kws = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if last in NEVER or literal_value(kws.get("repo_type")) in _NOT_REPOS:
            # outputs, datasets, logs: whatever string reaches these calls is not a dependency
            for arg in [*call.args, *kws.values()]:
                got = self.resolver.resolve(arg, scope)
                if got is not None and isinstance(got.carrier, ast.Constant):
                    self._add(got, call, Expect.NONE, None, "", {})
            return
        ctor_kws = {kw.arg: kw.value for kw in ctor.keywords if kw.arg} if ctor else {}
        ctor_qual = self.resolver.qualname(ctor.func, scope) if ctor else ""
        base_url = self._url(kws, scope) or self._url(ctor_kws, scope)
        context: dict[str, ContextValue] = {"loader": qual}
        if base_url is not None:
            context["base_url"] = base_url.value
        self._endpoints(call, kws, scope, qual)
        if base_url is None:
            self._sdk(call, qual)
        rule = match(qual)
        if rule is not None:
            self._rule(rule, call, kws, scope, context, ctor_qual, base_url)
        elif qual.split(".", 1)[0].startswith(FRAMEWORK_PACKAGES) and last[:1].isupper():
            hint = class_hint(qual)
            kind, provider = (hint[1], hint[0]) if hint else (Kind.AUTO, None)
            for key in FRAMEWORK_MODEL_KEYWORDS:
                if key in kws:
                    self._emit(kws[key], call, scope, kind, provider, context, base_url, key)
                    break
        else:
            for key, value in kws.items():
                if key in FRAMEWORK_MODEL_KEYWORDS or key.endswith("_model"):
                    self._emit(value, call, scope, Kind.AUTO, None, context, base_url, key)

    def _rule(
        self,
        rule: Rule,
        call: ast.Call,
        kws: dict[str, ast.expr],
        scope: Scope,
        context: dict[str, ContextValue],
        ctor_qual: str,
        base_url: Resolved | None,
    ) -> None:
        arg: ast.expr | None = None
        arg_key = ""
        for key in rule.keywords:
            if key in kws:
                arg, arg_key = kws[key], key
                break
        if arg is None and rule.pos is not None and len(call.args) > rule.pos:
            arg = call.args[rule.pos]
            if isinstance(arg, ast.Starred):
                return
        if arg is None:
            return
        provider = rule.provider
        kind = rule.kind
        hint = class_hint(ctor_qual) if ctor_qual else None
        if provider is None and hint is not None:
            provider = hint[0]
            if hint[1] in (Kind.OLLAMA, Kind.PROVIDER):
                kind = hint[1]
        if ctor_qual.startswith("aisuite"):
            kind = Kind.PROVIDER
        for key in ("revision", "filename", "pretrained"):
            got = self.resolver.resolve(kws[key], scope) if key in kws else None
            if got is not None:
                context[key] = got.value
        trust = literal_bool(kws.get("trust_remote_code"))
        if trust is not None:
            context["trust_remote_code"] = trust
        if rule.pattern == "torch.load":
            context["weights_only"] = literal_bool(kws.get("weights_only"))
        if rule.pattern == "torch.hub.load":
            # the second argument names an entry point of the repository, not a model
            entry = kws.get("model") or (call.args[1] if len(call.args) > 1 else None)
            got = self.resolver.resolve(entry, scope) if entry is not None else None
            if got is not None:
                self._add(got, call, Expect.NONE, None, "model", {})
        if rule.pattern.startswith("timm."):
            text = self.resolver.resolve(arg, scope)
            pretrained = literal_value(kws.get("pretrained"))
            if text is None or not (text.value.startswith("hf_hub:") or pretrained is True):
                return
            context.pop("pretrained", None)
        if rule.pattern.startswith("open_clip."):
            text = self.resolver.resolve(arg, scope)
            if text is None or not (text.value.startswith("hf-hub:") or "pretrained" in context):
                return
        if rule.pattern.startswith("vertexai"):
            context["provider"] = "google-vertex"
        if "model_provider" in kws:
            prov = self.resolver.resolve(kws["model_provider"], scope)
            if prov is not None:
                provider = prov.value
        self._emit(arg, call, scope, kind, provider, context, base_url, arg_key)

    def _emit(
        self,
        arg: ast.expr,
        call: ast.Call,
        scope: Scope,
        kind: Kind,
        provider: str | None,
        context: dict[str, ContextValue],
        base_url: Resolved | None,
        key: str = "",
    ) -> None:
        got = self.resolver.resolve(arg, scope)
        if got is None:
            self._imported_use(arg, call, scope, _EXPECT[kind], provider, context, key)
            return
        url_provider = provider_for_url(base_url.value) if base_url else None
        if url_provider is not None and kind in (Kind.API, Kind.AUTO):
            provider = url_provider[1]
        ctx = dict(context)
        if got.via:
            ctx["via"] = got.via
        if got.env:
            ctx["env"] = got.env
        self.resolver.consumed.add(id(got.carrier))
        self._add(got, call, _EXPECT[kind], provider, key, ctx)

    def _sdk(self, call: ast.Call, qual: str) -> None:
        """A provider SDK's call talks to its provider's own host: a derived endpoint."""
        operator = sdk_operator(qual)
        if operator is None or operator in self._sdk_seen:
            return
        host = default_host(operator)
        if host is None:
            return
        self._sdk_seen.add(operator)
        ctx: dict[str, ContextValue] = {"egress": "sdk", "derived": True, "sdk": qual}
        self.hits.append(
            Literal(
                f"https://{host}",
                site=Site.ARGUMENT,
                call=qual,
                expect=Expect.ENDPOINT,
                provider=operator,
                line=call.lineno,
                column=call.col_offset + 1,
                context=ctx,
            )
        )

    def _imported_use(
        self,
        arg: ast.expr,
        call: ast.Call,
        scope: Scope,
        expect: Expect,
        provider: str | None,
        context: dict[str, ContextValue],
        key: str,
    ) -> None:
        """A loader argument that is a constant of another module: linked after the scan."""
        imports = self.resolver.imports
        target = ""
        if isinstance(arg, ast.Name) and arg.id in imports:
            if self.resolver.lookup(arg.id, scope) is None:
                target = imports[arg.id]
        elif (
            isinstance(arg, ast.Attribute)
            and isinstance(arg.value, ast.Name)
            and arg.value.id in imports
            and self.resolver.lookup(arg.value.id, scope) is None
        ):
            target = f"{imports[arg.value.id]}.{arg.attr}"
        module, _, name = target.rpartition(".")
        if not module or not name:
            return
        ctx: dict[str, ContextValue] = {"pending": "use", "module": module, "name": name}
        if key:
            ctx["key"] = key
        self.hits.append(
            Literal(
                f"{module}:{name}",
                site=Site.ARGUMENT,
                key=key,
                call=str(context.get("loader", "")),
                expect=expect,
                provider=provider,
                line=call.lineno,
                column=call.col_offset + 1,
                context=ctx,
            )
        )

    def _url(self, kws: dict[str, ast.expr], scope: Scope) -> Resolved | None:
        for key in URL_KEYWORDS:
            if key in kws:
                got = self.resolver.resolve(kws[key], scope)
                if got is not None and got.value.startswith(("http://", "https://")):
                    return got
        return None

    def _endpoints(self, call: ast.Call, kws: dict[str, ast.expr], scope: Scope, qual: str) -> None:
        for key in URL_KEYWORDS:
            if key not in kws:
                continue
            got = self.resolver.resolve(kws[key], scope)
            if got is None:
                continue
            ctx: dict[str, ContextValue] = {}
            if got.via:
                ctx["via"] = got.via
            if got.env:
                ctx["env"] = got.env
            last = qual.rsplit(".", 1)[-1]
            ctx["egress"] = "client" if last[:1].isupper() else "request"
            self.resolver.consumed.add(id(got.carrier))
            self._add(got, call, Expect.ENDPOINT, None, key, ctx)

    def _add(
        self,
        got: Resolved,
        call: ast.Call,
        expect: Expect,
        provider: str | None,
        key: str,
        ctx: dict[str, ContextValue],
    ) -> None:
        carrier = got.carrier
        line, column = carrier.lineno, carrier.col_offset + 1
        if not (call.lineno <= line <= (call.end_lineno or call.lineno)):
            ctx["used_at"] = call.lineno
        loader = str(ctx.pop("loader", ""))
        mark = (got.value, line, column)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.hits.append(
            Literal(
                got.value,
                site=Site.ARGUMENT,
                key=key,
                call=loader,
                expect=expect,
                provider=provider,
                line=line,
                column=column,
                context=ctx,
            )
        )
