"""Source code read with tree-sitter grammars: every string literal with the syntax around it.

One walker serves JavaScript, TypeScript, Go, Java, Kotlin, C# and Rust. A query finds the
string literals; for each, the walker climbs the syntax tree to the construct that says what
the string is: a declaration (``const MODEL = "…"``), a key or value of an object or composite
literal, a call argument, a member of an array, union type, enum or initializer, an equality
test or a ``case`` label, an ``a || "default"`` fallback. The grammars are maintained
tree-sitter packages from PyPI; the parse runs in C and never evaluates the source.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from modeldeps.discover.detectors.lexical import comment_literals
from modeldeps.discover.detectors.literals import Expect, Literal, Site, anchored_names
from modeldeps.errors import DetectorError
from modeldeps.model import ContextValue


@dataclass(frozen=True)
class Grammar:
    """A tree-sitter language: its PyPI module, the attribute that returns it, its strings."""

    name: str
    module: str
    attribute: str
    strings: tuple[str, ...]  # node types of string literals
    comments: tuple[str, ...] = ("comment", "line_comment", "block_comment", "multiline_comment")
    regexes: tuple[str, ...] = ()  # node types of regex literals (``/^o1$/``)
    keys: tuple[str, ...] = ()  # node types of unquoted object keys (``{ o1: "2023-10" }``)


GRAMMARS: dict[str, Grammar] = {
    "javascript": Grammar(
        "javascript",
        "tree_sitter_javascript",
        "language",
        ("string", "template_string"),
        regexes=("regex",),
        keys=("property_identifier",),
    ),
    "typescript": Grammar(
        "typescript",
        "tree_sitter_typescript",
        "language_typescript",
        ("string", "template_string"),
        regexes=("regex",),
        keys=("property_identifier",),
    ),
    "tsx": Grammar(
        "tsx",
        "tree_sitter_typescript",
        "language_tsx",
        ("string", "template_string"),
        regexes=("regex",),
        keys=("property_identifier",),
    ),
    "go": Grammar(
        "go", "tree_sitter_go", "language", ("interpreted_string_literal", "raw_string_literal")
    ),
    "java": Grammar("java", "tree_sitter_java", "language", ("string_literal", "text_block")),
    "kotlin": Grammar("kotlin", "tree_sitter_kotlin", "language", ("string_literal",)),
    "csharp": Grammar(
        "csharp",
        "tree_sitter_c_sharp",
        "language",
        ("string_literal", "verbatim_string_literal", "raw_string_literal"),
    ),
    "rust": Grammar(
        "rust", "tree_sitter_rust", "language", ("string_literal", "raw_string_literal")
    ),
}

#: Nodes between a string and the construct that gives it meaning.
_TRANSPARENT = frozenset(
    {"literal_type", "parenthesized_expression", "as_expression", "satisfies_expression",
     "type_assertion", "non_null_expression", "await_expression", "value_argument",
     "argument", "expression_list", "literal_value_element", "element", "interpolation",
     "string_content", "expression_statement", "spread_element", "unary_expression",
     "parenthesized_type", "template_literal_type", "const_assertion", "jsx_expression",
     "type_arguments", "annotation_argument_list", "element_value_pair", "literal_element",
     "string_fragment", "string_literal_content"}
)  # fmt: skip
_DECLARATIONS = frozenset(
    {"variable_declarator", "const_spec", "var_spec", "short_var_declaration",
     "assignment_expression", "assignment_statement", "enum_assignment",
     "public_field_definition", "field_definition", "property_declaration", "let_declaration",
     "const_item", "static_item", "field_declaration", "property_signature", "assignment",
     "augmented_assignment_expression", "local_variable_declaration", "variable_declaration",
     "enum_constant", "property_definition", "constant_declaration", "field_initializer",
     "enum_member_declaration", "shorthand_property_identifier"}
)  # fmt: skip
_PAIRS = frozenset({"pair", "keyed_element", "property_assignment", "initializer_pair"})
_ARGUMENTS = frozenset({"arguments", "argument_list", "value_arguments", "call_suffix"})
_CALLS = frozenset(
    {"call_expression", "new_expression", "method_invocation", "invocation_expression",
     "object_creation_expression", "macro_invocation", "call", "constructor_invocation"}
)  # fmt: skip
_COLLECTIONS = frozenset(
    {"array", "array_initializer", "literal_value", "collection_literal", "array_expression",
     "initializer_expression", "union_type", "tuple", "tuple_type", "set", "list",
     "array_creation_expression", "implicit_array_creation_expression", "enum_body",
     "enum_class_body", "enum_member_declaration_list", "object", "composite_literal",
     "struct_expression", "field_initializer_list", "collection_expression", "token_tree"}
)  # fmt: skip
_CASES = frozenset(
    {"switch_case", "expression_case", "switch_label", "when_entry", "case_switch_label",
     "match_arm", "switch_expression_arm", "when_condition", "case_pattern_switch_label",
     "constant_pattern", "match_pattern"}
)  # fmt: skip
_BINARY = frozenset({"binary_expression", "equality_expression", "disjunction_expression"})
_DEFAULTS = frozenset(
    {"assignment_pattern", "required_parameter", "optional_parameter", "parameter_declaration",
     "formal_parameter", "parameter"}
)  # fmt: skip
#: Statements whose strings are package or module names (``import x from "pkg"``, Go
#: ``import "github.com/x/y"``): never a model, whatever the name looks like.
_IMPORTS = frozenset(
    {"import_statement", "export_statement", "import_spec", "import_declaration",
     "import_header", "using_directive", "use_declaration", "extern_crate_declaration"}
)  # fmt: skip
_EQUALS = frozenset({"==", "===", "!=", "!==", "equals", "Equals", "eq"})
_FALLBACK = frozenset({"||", "??", "?:", "or"})

#: Last parts of callees that compile or apply their string argument as a regex; a full-match
#: call compares whole strings even without anchors.
_REGEX_CALLS = re.compile(r"(?i)(?:^|\.)(?:regexp|mustcompile|compile|matches|matchstring)$")
_FULL_MATCH = re.compile(r"(?i)(?:^|\.)(?:matches|fullmatch)$")
_DIGIT = re.compile(r"\d")

#: Last parts of callees whose argument a loader takes as a model (index, what it expects).
_LOADERS: dict[str, tuple[int, Expect]] = {
    "from_pretrained": (0, Expect.HUB),
    "frompretrained": (0, Expect.HUB),
    "pipeline": (1, Expect.HUB),
    "pull": (0, Expect.OLLAMA),
}
_STARTS = re.compile(
    r"(?i)(?:^|\.)(?:startswith|endswith|hasprefix|hassuffix|starts_with|ends_with|trimprefix|"
    r"includes|contains|indexof|match|test|replace|split|startsWithAny)$"
)


@cache
def parser(grammar: str) -> Any:
    """A parser and a string query for ``grammar``; raises when its package is missing."""
    spec = GRAMMARS[grammar]
    try:
        import tree_sitter as ts

        module = importlib.import_module(spec.module)
    except ImportError as exc:
        raise DetectorError(f"tree-sitter grammar {spec.module} is not installed: {exc}") from None
    language = ts.Language(getattr(module, spec.attribute)())
    kinds = set(language.node_kind_for_id(i) for i in range(language.node_kind_count))
    strings = [t for t in spec.strings if t in kinds]
    comments = [t for t in spec.comments if t in kinds]
    regexes = [t for t in spec.regexes if t in kinds]
    keys = [t for t in spec.keys if t in kinds]
    pattern = " ".join(
        [*(f"({t}) @s" for t in strings), *(f"({t}) @c" for t in comments)]
        + [f"({t}) @r" for t in regexes]
        + [f"(pair key: ({t}) @k)" for t in keys]
    )
    query = ts.Query(language, pattern)
    return ts.Parser(language), ts.QueryCursor(query)


def _text(node: Any) -> str:
    raw: bytes = node.text or b""
    return raw.decode("utf-8", errors="replace")


def string_value(node: Any) -> str | None:
    """The value of a string literal node, or ``None`` when it interpolates code."""
    text = _text(node)
    if "${" in text or (
        re.search(r"(?<!\\)\$\{|\{[A-Za-z_][\w.]*\}", text) and text.startswith(("$", "`"))
    ):
        return None
    text = re.sub(r"^(?:[@$]+|r#*|[uUbBrRfF]?)", "", text)
    for quote in ('"""', "'''", '"', "'", "`"):
        if text.startswith(quote) and text.endswith(quote) and len(text) >= 2 * len(quote):
            body = text[len(quote) : -len(quote)]
            break
    else:
        body = text.strip('"#')
    if "\\" in body:
        body = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return body


def _name_of(node: Any) -> str:
    """The name a declaration binds, or the key of a pair."""
    for field in ("name", "left", "key", "pattern"):
        child = node.child_by_field_name(field)
        if child is not None:
            return _text(child).strip("\"'`")
    for child in node.named_children:
        if child.type.endswith(("identifier", "name")) or child.type in {"simple_identifier"}:
            return _text(child)
        if child.type == "variable_declaration" or child.type == "variable_declarator":
            return _name_of(child)
    return ""


def _callee(call: Any) -> str:
    for field in ("function", "constructor", "macro", "name"):
        child = call.child_by_field_name(field)
        if child is not None:
            obj = call.child_by_field_name("object")
            name = _text(child)
            return f"{_text(obj)}.{name}" if obj is not None and field == "name" else name
    first = call.named_children[0] if call.named_children else None
    return _text(first) if first is not None else ""


def _owner(node: Any, depth: int = 0) -> str:
    """The name a collection or object is bound to, looking through wrappers."""
    parent = node.parent
    while parent is not None and depth < 6:
        if parent.type in _DECLARATIONS or parent.type in _PAIRS:
            return _name_of(parent)
        if parent.type == "type_alias_declaration":
            return _name_of(parent)
        if parent.type in _ARGUMENTS or parent.type in _CALLS:
            return ""
        parent = parent.parent
        depth += 1
    return ""


def _enclosing_call(node: Any) -> str:
    """The callee when ``node`` (a key-value pair) sits in an object passed to a call."""
    parent = node.parent
    for _ in range(3):
        if parent is None:
            return ""
        if parent.type in _ARGUMENTS:
            call = parent.parent
            return _callee(call) if call is not None else ""
        if parent.type not in _COLLECTIONS and parent.type not in _TRANSPARENT:
            return ""
        parent = parent.parent
    return ""


@dataclass
class _Place:
    site: Site = Site.TEXT
    key: str = ""
    call: str = ""
    group: int = 0
    expect: Expect = Expect.ANY


def place(node: Any) -> _Place:
    """Where a string literal sits, from the syntax around it."""
    child = node
    parent = node.parent
    found = _Place()
    for _ in range(8):
        if parent is None:
            return found
        t = parent.type
        if t in _TRANSPARENT or (t.endswith("_literal") and t not in _COLLECTIONS):
            child, parent = parent, parent.parent
            continue
        if t in _IMPORTS:
            return _Place(Site.TEXT, expect=Expect.NONE)
        if t in _PAIRS:
            key = parent.child_by_field_name("key") or (parent.named_children or [None])[0]
            if key is not None and key.id == child.id:
                return _Place(
                    Site.KEY, _owner(parent), group=parent.parent.id if parent.parent else 0
                )
            return _Place(Site.VALUE, _name_of(parent), _enclosing_call(parent))
        if t in _DECLARATIONS or t in _DEFAULTS:
            site = Site.DEFAULT if t in _DEFAULTS else Site.VALUE
            return _Place(site, _name_of(parent))
        if t in _ARGUMENTS:
            call = parent.parent
            callee = _callee(call) if call is not None else ""
            if _STARTS.search(callee):
                return _Place(Site.PREFIX)
            index = sum(1 for c in parent.named_children if c.end_byte <= child.start_byte)
            last = callee.rsplit(".", 1)[-1].lower()
            loader = _LOADERS.get(last)
            expect = loader[1] if loader is not None and loader[0] == index else Expect.ANY
            label = child.child_by_field_name("name") if child.type != node.type else None
            return _Place(Site.ARGUMENT, _text(label) if label else "", callee, expect=expect)
        if t in _COLLECTIONS:
            return _Place(Site.ELEMENT, _owner(parent), group=parent.id)
        if t in _CASES:
            switch = parent.parent
            while (
                switch is not None
                and "switch" not in switch.type
                and "when" not in switch.type
                and "match" not in switch.type
            ):
                switch = switch.parent
            value = switch.child_by_field_name("value") if switch is not None else None
            return _Place(
                Site.COMPARE,
                _text(value) if value is not None else "",
                group=switch.id if switch else 0,
            )
        if t in _BINARY:
            op = parent.child_by_field_name("operator")
            op_text = _text(op) if op is not None else ""
            if not op_text:
                op_text = next((_text(c) for c in parent.children if not c.is_named), "")
            if op_text in _EQUALS:
                other = [c for c in parent.named_children if c.id != child.id]
                return _Place(Site.COMPARE, _text(other[0]) if other else "")
            if op_text in _FALLBACK:
                outer = place(parent)
                return _Place(Site.DEFAULT, outer.key, outer.call)
            return found
        if t in _CALLS:
            return _Place(Site.ARGUMENT, "", _callee(parent))
        return found
    return found


def _regex_literals(node: Any, offset: int) -> Iterator[Literal]:
    """``/^dall-e-3$/.test(m)``: the names a whole-string regex literal compares with."""
    pattern = node.child_by_field_name("pattern")
    names = anchored_names(_text(pattern)) if pattern is not None else None
    for name in names or ():
        yield Literal(name, offset, Site.COMPARE, group=node.id)


def literals(grammar: str, data: bytes, text: str) -> Iterator[Literal]:
    """Every string literal (and commented-out value) of a source file with its place."""
    parse, cursor = parser(grammar)
    tree = parse.parse(data)
    captures: dict[str, list[Any]] = cursor.captures(tree.root_node)
    # tree-sitter gives byte offsets; the reference needs characters
    to_char: Callable[[int], int]
    if len(data) == len(text):
        to_char = int
    else:
        prefix = data.decode("utf-8", errors="replace")
        to_char = lambda b: len(data[:b].decode("utf-8", errors="replace"))  # noqa: E731
        del prefix
    for node in captures.get("r", []):
        yield from _regex_literals(node, to_char(node.start_byte))
    for node in captures.get("s", []):
        value = string_value(node)
        if value is None or not value or len(value) > 300:
            continue
        where = place(node)
        if where.site is Site.ARGUMENT and _REGEX_CALLS.search(where.call):
            # ``regexp.MustCompile("^o1$")``, ``new RegExp("^(o1|o3)$")``: an equality test
            # when it matches whole names, else a filter
            names = anchored_names(value, whole=bool(_FULL_MATCH.search(where.call)))
            for name in names or ():
                yield Literal(name, to_char(node.start_byte), Site.COMPARE, group=node.id)
            continue
        context: dict[str, ContextValue] = {}
        if where.expect is Expect.ANY and "ollama" in where.call.lower() and where.key == "model":
            where.expect = Expect.OLLAMA  # ``ollama.chat({ model: "llama3.1" })``
        yield Literal(
            value,
            to_char(node.start_byte),
            where.site,
            key=where.key,
            call=where.call,
            group=where.group,
            expect=where.expect,
            context=context,
        )
    for node in captures.get("k", []):
        # ``{ "gpt-4o": "2023-10", o1: "2023-10" }``: an unquoted key among model keys; only
        # names with a digit (``o1``, ``glm4``), which ordinary property names rarely have
        name = _text(node)
        pair = node.parent
        if _DIGIT.search(name) and pair is not None and pair.parent is not None:
            yield Literal(
                name, to_char(node.start_byte), Site.KEY, key=_owner(pair), group=pair.parent.id
            )
    for node in captures.get("c", []):
        body = _text(node)
        yield from comment_literals(body, to_char(node.start_byte))
