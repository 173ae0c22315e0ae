"""A lexical literal extractor: strings and comments by regex, each string's context from the text
around it (the name it is assigned to, the call and keyword it is passed as, the collection it
belongs to, a comparison or a prefix test).

It reads no grammar beyond quotes, comments and brackets, so one engine serves Python, Go,
Java, Kotlin, C#, Rust, PowerShell, HCL and any other text with quoted strings; a
:class:`Syntax` says how a language writes them. It never builds a token list of the whole
file: the regex engine finds strings and comments, and only a string the recognizer could
accept has its surroundings read, so big files cost little more than one regex pass.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from modeldeps.discover.detectors.literals import Literal, Site, anchored_names
from modeldeps.discover.detectors.recognizer import ACCEPT, intrinsic, key_weight
from modeldeps.model import ContextValue

#: Below this score alone, a string is read only with a model-ish word near it.
_WORTH = ACCEPT - 0.3
_NAME = r"[A-Za-z_$@][\w$]*"
# Searched on the text before a bracket; the look-behind lets a match start only where a name
# starts, so the engine does not retry the chain from every character of the line (7x faster).
_DOTTED = re.compile(
    r"(?<![\w$])([A-Za-z_$][\w$]*(?:\s*(?:\.|::|->|\?\.)\s*[A-Za-z_$][\w$]*)*)\s*"
    r"(?:<[^<>()]*>)?\s*$"
)
_MODELISH_WORDS = (
    "model", "llm", "ckpt", "checkpoint", "tokenizer", "weights", "adapter", "lora", "deploy",
    "embed", "rerank", "whisper", "repo", "engine",
)  # fmt: skip
_MODELISH = re.compile(
    r"(?i)model|llm|ckpt|checkpoint|tokenizer|weights|adapter|lora|engine|deploy|embed|rerank|whisper|repo"
)
_EXAMPLE_LINE = re.compile(r"(?m)^[ \t]*(?:>>>|\.\.\.)[ \t]?(.*)$")
_NOT_NEWLINE = re.compile(r"[^\n]")
_REGEX_CALLS = re.compile(
    r"(?i)(?:^|\.)(?:match|fullmatch|search|compile|regexp|mustcompile|matches|matchstring)$"
)
_PREFIX_CALLS = re.compile(
    r"(?i)(?:^|\.)(?:startswith|endswith|starts_with|ends_with|hasprefix|hassuffix|"
    r"trimprefix|trimsuffix|removeprefix|removesuffix|startswithany|lstrip|rstrip)$"
)
_ENV_CALLS = re.compile(
    r"(?i)(?:^|\.)(?:getenv|get_env|env|getenvironmentvariable|lookupenv|get|getordefault|"
    r"get_or|getvalueordefault|setdefault|pop|getstring|getproperty|get_setting|setting|config)$"
)
#: ``X = a or "default"``, ``X = a || "default"``, ``a ?? "default"``, ``${A:-default}``.
_FALLBACK = re.compile(r"(?:\bor|\|\||\?\?|\?:)\s*$")
_LINE_ASSIGN = re.compile(
    r"^\s*(?:(?:const|let|var|val|final|export|local|readonly)\s+)*"
    r"([A-Za-z_$][\w.$]*)\s*(?::[^=\n]{1,60}?)?\s*(?<![=!<>])=(?!=)"
)
_URL = re.compile(r"\b(?:https?|wss?|hf|ollama|s3|gs|gcs|pvc)://[\x21-\x7e]+")
_URL_USE = re.compile(
    r"(?i)(?:[=:]\s*[\"'`]?|\b(?:curl|wget|http|https|get|post|put)\s+(?:-\S+\s+)*|--[\w-]+[ =])$"
)
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
#: An install command written as an argument list (``["pip", "install", "x"]``): what follows
#: names packages.
_INSTALL_ARGS = re.compile(r"[\"'](?:install|add)[\"']\s*,")


#: Per syntax, string tokens (quotes included) that nothing around them can make a reference:
#: most strings of a code base recur (``"input_ids"``), and a set lookup is cheaper than
#: decoding and judging them again. Bounded; it only ever skips work.
_REJECTED: dict[str, set[str]] = {}
_REJECTED_MAX = 200_000


def _rejected(syntax: str) -> set[str]:
    return _REJECTED.setdefault(syntax, set())


@dataclass(frozen=True)
class Syntax:
    """How one language writes strings, comments, assignments and keyword arguments."""

    name: str
    #: Named groups: ``s`` single-line string (with quotes), ``t`` multi-line string,
    #: ``c`` comment. Others may exist and are skipped.
    token: re.Pattern[str]
    #: Turns the matched string token (quotes included) into its value; ``None`` to skip it.
    decode: Callable[[str], str | None]
    #: Text before a literal on its line that binds it to a name; group 1 is the name.
    assign: re.Pattern[str]
    #: Text between an opening bracket (or comma) and a literal naming a keyword; group 1.
    keyword: re.Pattern[str]
    #: Text before a literal that compares it (``==``, ``case``, ``-eq``); group 1 other side.
    compare: re.Pattern[str]
    #: Text before a ``[``/``{``/``(`` that binds the collection to a name; group 1.
    owner: re.Pattern[str]
    #: Reads commented-out code inside a comment (text after the comment marker).
    comment_body: Callable[[str], tuple[int, str] | None] = lambda s: None
    #: A triple-quoted string that is a docstring: its ``>>>`` lines are examples.
    docstring: Callable[[str, int], bool] = lambda text, start: False
    #: Words before ``(`` that open a definition's parameters (defaults are DEFAULT sites).
    defs: frozenset[str] = frozenset({"def", "func", "fun", "function", "fn"})
    extra_compare: tuple[str, ...] = field(default_factory=tuple)
    #: A command that starts a line and takes named parameters (``Invoke-RestMethod -Uri``).
    command: re.Pattern[str] | None = None
    #: How comment and multi-line string tokens start (the others are single-line strings).
    comment_starts: tuple[str, ...] = ("#", "//", "/*")
    multiline_starts: tuple[str, ...] = ()
    #: A newline before a line where brackets are balanced in valid code (a statement at
    #: column 0; in Python also an indented ``def`` or ``class``): the bracket pass starts at
    #: the last such line before a string.
    safe_line: re.Pattern[str] = re.compile(r"\n[A-Za-z_@]")

    @property
    def brackets(self) -> re.Pattern[str]:
        """Brackets, or a whole string or comment token (so brackets inside are skipped)."""
        return _bracket_pattern(self.token.pattern)


_QUOTED_OR_URL = re.compile(r"\"[^\"]*\"|'[^']*'|`[^`]*`|\S+://\S+")
_PLAIN_WORD = re.compile(r"(?:^|(?<=\s))[A-Za-z]+[.,;:!?]?(?=\s|$)")


def _prose(body: str) -> bool:
    """A comment that is prose: CJK text, or several plain words outside quotes and URLs."""
    if _CJK.search(body):
        return True
    bare = _QUOTED_OR_URL.sub(" ", body)
    return len(_PLAIN_WORD.findall(bare)) > 3


def first(m: re.Match[str] | None) -> str:
    """The first group of ``m`` that matched, or ``""``."""
    if m is None:
        return ""
    return next((g for g in m.groups() if g), "")


def _flat(token: str) -> str:
    """The token pattern with its top-level ``(?P<s>…)`` groups unwrapped into one flat
    alternation: Python's regex engine skips ahead to an alternative's first character only
    when no group wraps it (the scan of a file is then several times faster)."""
    out: list[str] = []
    i, depth, in_class = 0, 0, False
    closing: list[bool] = []  # per open group: whether its ``)`` is dropped
    while i < len(token):
        ch = token[i]
        if ch == "\\":
            out.append(token[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            named = re.match(r"\(\?P<[a-z]>", token[i:])
            drop = depth == 0 and named is not None
            closing.append(drop)
            depth += 1
            if drop and named is not None:
                i += named.end()
                continue
        elif ch == ")" and closing:
            depth -= 1
            if closing.pop():
                i += 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=32)
def _at_name_start(pattern: str, flags: int) -> re.Pattern[str]:
    """An end-anchored pattern allowed to match only where a name, key or quote starts: the
    same first match on code, without a retry from every character of the text searched."""
    lead = re.match(r"\(\?[aiLmsux]+\)", pattern)
    head = lead.group() if lead else ""
    return re.compile(head + r"(?<![\w\"'.\-$])" + pattern[len(head) :], flags)


@lru_cache(maxsize=32)
def _fast_token(token: str, flags: int) -> re.Pattern[str]:
    """The token pattern as one flat alternation without its ``s``/``t``/``c`` groups."""
    return re.compile(_flat(token), flags)


@lru_cache(maxsize=32)
def _bracket_pattern(token: str) -> re.Pattern[str]:
    return re.compile(r"[()\[\]{}]|" + _flat(token), re.MULTILINE)


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def c_like_decode(tok: str) -> str | None:
    """Value of a ``"…"``, ``'…'`` or backtick string (prefix letters and ``@`` dropped)."""
    i = 0
    while i < len(tok) and tok[i] not in "\"'`":
        i += 1
    body = tok[i + 1 : -1]
    if tok[i] == "`" and "${" in body:
        return None
    return _unescape(body) if tok[i] != "`" else body


@dataclass
class _Frame:
    open: str
    pos: int
    callee: str = ""
    owner: str = ""
    is_def: bool = False
    outer_callee: str = ""


class Extractor:
    """Finds the literals of one text under one :class:`Syntax`."""

    def __init__(self, syntax: Syntax, text: str, *, in_comment: bool = False, base: int = 0):
        self.syntax = syntax
        self.text = text
        self.in_comment = in_comment
        self.base = base
        self.out: list[Literal] = []
        self._pending: list[tuple[str, int, int]] = []
        #: innermost open bracket at each pending string, and the bracket around each bracket
        self._inside: dict[int, int | None] = {}
        self._outer: dict[int, int | None] = {}
        #: spans of multi-line strings, where a line that looks like a statement is not one
        self._spans: list[tuple[int, int]] = []
        self._span_starts: list[int] = []

    def run(self) -> list[Literal]:
        syn = self.syntax
        text = self.text
        comments, multiline = syn.comment_starts, syn.multiline_starts
        rejected = _rejected(syn.name)
        for m in _fast_token(syn.token.pattern, syn.token.flags).finditer(text):
            tok = m.group()
            if tok in rejected:
                continue  # a string seen before that nothing around it can make a reference
            group = "c" if tok.startswith(comments) else "t" if tok.startswith(multiline) else "s"
            if group == "s":
                value = syn.decode(tok)
                if value is None or not self._string(value, m.start(), m.end()):
                    if len(rejected) > _REJECTED_MAX:
                        rejected.clear()
                    rejected.add(tok)
            elif group == "t":
                self._spans.append(m.span())
                self._multiline(m)
            elif group == "c" and not self.in_comment:
                self._comment(m)
        if self._pending:
            self._brackets()
            for value, start, end in self._pending:
                self._place(value, start, end, text.rfind("\n", 0, start) + 1)
        return self.out

    def _brackets(self) -> None:
        """Forward passes over brackets (strings and comments skipped), one per statement that
        holds strings needing their context, from the statement's start to its last such
        string: the bracket each of those strings sits in."""
        groups: list[tuple[int, int, set[int]]] = []
        begin, seen = 0, 0
        for _, start, end in self._pending:
            # the last safe line before this string lies after the previous string, or is the
            # one found for it: each line is looked at once
            begin = self._statement_start(start, seen, begin)
            seen = start
            if groups and groups[-1][0] == begin:
                groups[-1] = (begin, end, groups[-1][2] | {start})
            else:
                groups.append((begin, end, {start}))
        pattern = self.syntax.brackets
        for begin, last, wanted in groups:
            stack: list[int] = []
            for m in pattern.finditer(self.text, begin, last):
                ch = m.group()
                pos = m.start()
                if ch in "([{":
                    self._outer[pos] = stack[-1] if stack else None
                    stack.append(pos)
                elif ch in ")]}":
                    if stack:
                        stack.pop()
                elif pos in wanted:
                    self._inside[pos] = stack[-1] if stack else None

    # --- tokens -------------------------------------------------------------------------------

    def _multiline(self, m: re.Match[str]) -> None:
        tok = m.group()
        if self.syntax.docstring(self.text, m.start()):
            self._examples(tok, m.start())
            return
        value = self.syntax.decode(tok)
        if value is not None and "\n" not in value:
            self._string(value, m.start(), m.end())

    def _examples(self, doc: str, start: int) -> None:
        """``>>> model = X.from_pretrained("org/name")`` lines of a docstring."""
        if ">>>" in doc:
            # One pass over the examples with everything else blanked out (offsets kept): a
            # call continued on ``...`` lines keeps its context, and a docstring costs one
            # extractor instead of one per line.
            pieces: list[str] = []
            last, quoted = 0, False
            for line in _EXAMPLE_LINE.finditer(doc):
                body_start, body_end = line.span(1)
                quoted = quoted or "'" in line.group(1) or '"' in line.group(1)
                pieces += [_NOT_NEWLINE.sub(" ", doc[last:body_start]), line.group(1)]
                last = body_end
            if quoted:
                pieces.append(_NOT_NEWLINE.sub(" ", doc[last:]))
                sub = Extractor(self.syntax, "".join(pieces), in_comment=True, base=start)
                self.out.extend(sub.run())
        if "--" in doc:  # CLI usage in a docstring: ``--model org/name``
            for flag in re.finditer(r"(--[\w-]+)[ =]+([^\s'\"\\]+)", doc):
                self._flag(flag.group(1), flag.group(2), start + flag.start(2))
        if "://" in doc:
            self._urls(doc, start)

    def _comment(self, m: re.Match[str]) -> None:
        tok = m.group()
        if "://" not in tok and "--" not in tok and not any(q in tok for q in "\"'`"):
            return  # neither a quoted value, a URL nor a flag: nothing to read
        got = self.syntax.comment_body(tok)
        if got is None:
            return
        skip, body = got
        self.comment_text(body, m.start() + skip)

    def comment_text(self, body: str, origin: int) -> None:
        """Commented-out code, CLI usage and provider URLs in the text of a comment."""
        for flag in re.finditer(r"(--[\w-]+)[ =]+([^\s'\"`\\]+)", body):
            self._flag(flag.group(1), flag.group(2), origin + flag.start(2), in_comment=True)
        if not body.strip() or _prose(body):
            return  # a descriptive comment, not commented-out code or config
        if '"' in body or "'" in body or "`" in body:
            sub = Extractor(self.syntax, body, in_comment=True, base=self.base + origin)
            self.out.extend(sub.run())
        self._urls(body, origin)

    def _urls(self, body: str, origin: int) -> None:
        """Provider URLs and model URIs written out in a comment or docstring example."""
        for url in _URL.finditer(body):
            # a URL set or called in the example (``KEY=url``, ``base_url: url``, ``curl url``),
            # not one quoted or cited in passing
            head = body[body.rfind("\n", 0, url.start()) + 1 : url.start()]
            if not _URL_USE.search(head):
                continue
            value = url.group().rstrip(".,;:'\")`")
            found = intrinsic(value)
            if found is not None and found.score >= 0.85:
                self._add(value, origin + url.start(), Site.TEXT, in_comment=True)

    def _flag(self, flag: str, value: str, offset: int, in_comment: bool = True) -> None:
        if key_weight(flag) > 0:
            self._add(value, offset, Site.VALUE, key=flag, in_comment=in_comment)

    # --- one string ---------------------------------------------------------------------------

    def _string(self, value: str, start: int, end: int) -> bool:
        """Keep ``value`` when it may be a reference; ``False`` when nothing around it could
        make it one (the caller remembers the token), ``True`` otherwise."""
        if not value or len(value) > 300:
            return False
        if self.in_comment and "://" in value:
            # a URL quoted in a comment counts where it is set or called, as in ``_urls``
            head = self.text[self.text.rfind("\n", 0, start) + 1 : start]
            if not _URL_USE.search(head + '"'):
                return True
        if value[:1] == "^" or value[:2] == "\\A":
            names = anchored_names(value) or ()
            if any((f := intrinsic(n)) is not None and f.score > 0.2 for n in names):
                self._pending.append((value, start, end))  # a whole-name regex: see _place
                return True
            return False
        found = intrinsic(value)
        if found is None or found.score <= 0.2:
            # Nothing, or a code identifier: no key or sibling can lift it to a reference
            # (a loader's own argument comes from the ast evidence, not from here).
            return False
        if found.score < _WORTH:
            # A bare word counts only under a model key written on its own line.
            text = self.text
            near = text[max(text.rfind("\n", 0, start) + 1, start - 200) : start].lower()
            if not any(word in near for word in _MODELISH_WORDS):
                return True
        self._pending.append((value, start, end))
        return True

    def _place(self, value: str, start: int, end: int, line_start: int) -> None:
        syn = self.syntax
        text = self.text
        frame = self._frame(start)
        seg_start = max(line_start, frame.pos + 1 if frame else 0)
        before = text[seg_start:start]
        # within a bracket, only the text since the last separator belongs to this element
        if frame is not None:
            cut = max(before.rfind(","), before.rfind(";"))
            if cut >= 0:
                before = before[cut + 1 :]
        # the quote may carry a prefix written against it (``f"``, ``rb'``, ``@"``)
        prefix = re.search(r"(?<![\w@$])[A-Za-z@$]{1,2}$", before)
        if prefix is not None and start > 0 and not text[start - 1].isspace():
            before = before[: prefix.start()]
        before = before.rstrip()
        after = text[end : end + 40].lstrip()
        if _FALLBACK.search(before):
            # ``"model": conf().get("x") or "gpt-4o"``, ``X = getenv("M") or "gpt-4o"``: the
            # element's key, the assigned name, or the setting read, whichever names a model
            element = re.match(r"\s*[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*[:=][^=]", before)
            assigned = _LINE_ASSIGN.match(text, line_start)
            read = re.search(r"[\"']([\w.\-]+)[\"']\s*\)\s*(?:or|\|\||\?\?)\s*$", before)
            names = [m.group(1) for m in (element, assigned, read) if m is not None]
            key = next((n for n in names if key_weight(n) > 0), names[0] if names else "")
            self._add(value, start, Site.DEFAULT, key=key)
            return
        comp = syn.compare.search(before)
        if comp is not None:
            self._add(value, start, Site.COMPARE, key=first(comp), group=0)
            return
        if frame is None:
            a = syn.assign.search(before)
            if a is None and syn.command is not None:
                cmd = syn.command.match(text, line_start)
                if cmd is not None:
                    key = first(syn.keyword.search(before))
                    self._add(value, start, Site.ARGUMENT, key=key, call=cmd.group(1))
                    return
            self._add(value, start, Site.VALUE if a else Site.TEXT, key=first(a))
            return
        if frame.open == "(":
            if _PREFIX_CALLS.search(frame.callee):
                self._add(value, start, Site.PREFIX)
                return
            if _REGEX_CALLS.search(frame.callee):
                # ``re.match(r"^o1$", m)``: an equality test when the regex matches whole
                # names only; a family or prefix regex names nothing
                whole = bool(re.search(r"(?i)fullmatch|matches$", frame.callee))
                for name in anchored_names(value, whole=whole) or ():
                    self._add(name, start, Site.COMPARE, group=frame.pos + 1)
                return
            if value[:1] == "^":
                return
            key = first(syn.keyword.search(before))
            if frame.is_def:
                self._add(value, start, Site.DEFAULT, key=key)
                return
            if _ENV_CALLS.search(frame.callee) and not key:
                env = self._first_string_arg(frame)
                if env and env != value:
                    ctx: dict[str, ContextValue] = {}
                    if re.search(r"(?i)env", frame.callee):
                        ctx["env"] = env
                    self._add(value, start, Site.DEFAULT, key=env, call=frame.callee, context=ctx)
                    return
            if _INSTALL_ARGS.search(text, frame.pos, start):
                self._add(value, start, Site.PREFIX)  # ``run(["pip", "install", "x"])``
                return
            if not frame.callee:  # a tuple
                if _PREFIX_CALLS.search(frame.outer_callee):
                    self._add(value, start, Site.PREFIX)  # ``startswith(("a", "b"))``
                    return
                self._add(value, start, Site.ELEMENT, key=frame.owner, group=frame.pos + 1)
                return
            if not key:
                key = self._flag_in_call(frame, start)
            if not key and key_weight(frame.callee.rsplit(".", 1)[-1]) > 0:
                key = frame.callee.rsplit(".", 1)[-1]  # ``CheckpointLoader("./ckpt/x")``
            site = Site.ARGUMENT
            if key and key.lower() in {"default", "value"}:
                site = Site.DEFAULT
                key = self._flag_in_call(frame, start) or frame.owner or key
            self._add(value, start, site, key=key, call=frame.callee)
            return
        # ``[`` or ``{``: a list, set, dict, object, array or initializer
        if _PREFIX_CALLS.search(frame.outer_callee) or "prefix" in frame.owner.lower():
            self._add(value, start, Site.PREFIX)
            return
        if frame.open == "[" and _INSTALL_ARGS.search(text, frame.pos, start):
            self._add(value, start, Site.PREFIX)  # ``["pip", "install", "x"]``: packages
            return
        if after.startswith((":", "=>", "=")) and frame.open == "{" and not after.startswith("=="):
            self._add(value, start, Site.KEY, key=frame.owner, group=(frame.pos + 1) * 2)
            return
        kw = syn.keyword.search(before)
        if kw is not None:
            dict_key = first(kw)
            # the entry's own key when it says something (a model key, or a veto such as
            # ``Referer``), else the table's name
            key = dict_key if key_weight(dict_key) != 0 else frame.owner or dict_key
            # the values of a table of models are a collection; a record's fields are not
            group = (frame.pos + 1) * 2 + 1 if key_weight(frame.owner) > 0 else 0
            self._add(value, start, Site.VALUE, key=key, group=group)
            return
        if frame.open == "[" and re.search(
            r"(?:\bin|\bnot in)\s*$", text[max(0, frame.pos - 20) : frame.pos]
        ):
            left = re.search(
                rf"({_NAME})\s+(?:not\s+)?in\s*$", text[max(0, frame.pos - 80) : frame.pos]
            )
            self._add(
                value, start, Site.COMPARE, key=left.group(1) if left else "", group=frame.pos + 1
            )
            return
        self._add(value, start, Site.ELEMENT, key=frame.owner, group=(frame.pos + 1) * 2 + 1)

    def _add(
        self,
        value: str,
        offset: int,
        site: Site,
        key: str = "",
        call: str = "",
        group: int = 0,
        in_comment: bool = False,
        context: dict[str, ContextValue] | None = None,
    ) -> None:
        self.out.append(
            Literal(
                value,
                self.base + offset,
                site,
                key=key.strip("\"'`"),
                call=call,
                group=(self.base + group) if group else 0,
                in_comment=self.in_comment or in_comment,
                context=context or {},
            )
        )

    # --- brackets -----------------------------------------------------------------------------

    def _frame(self, pos: int) -> _Frame | None:
        """The innermost bracket open at ``pos``, found by a backward scan that skips strings."""
        opener = self._opener(pos)
        if opener is None:
            return None
        ch = self.text[opener]
        frame = _Frame(ch, opener)
        head = self._head(opener)
        if ch == "(":
            m = _DOTTED.search(head)
            if m is not None:
                callee = re.sub(r"\s+", "", m.group(1)).replace("?.", ".").replace("::", ".")
                callee = callee.replace("->", ".")
                before_callee = head[: m.start()].rstrip()
                word = before_callee.rsplit(None, 1)[-1] if before_callee else ""
                if word in self.syntax.defs or callee.split(".")[0] in self.syntax.defs:
                    frame.is_def = True
                    callee = callee.split(".")[-1]
                frame.callee = callee
        owner = self.syntax.owner
        frame.owner = first(_at_name_start(owner.pattern, owner.flags).search(head))
        if ch in "[{" or not frame.callee:
            outer = self._opener(opener)
            if outer is not None and self.text[outer] == "(":
                m = _DOTTED.search(self._head(outer))
                frame.outer_callee = m.group(1) if m else ""
                if not frame.owner:
                    frame.owner = first(self.syntax.keyword.search(self.text[outer + 1 : opener]))
        return frame

    def _statement_start(self, pos: int, floor: int = 0, below: int = 0) -> int:
        """Where the statement around ``pos`` starts: the last safe line (see
        :attr:`Syntax.safe_line`) before it that is not inside a multi-line string; brackets
        before it are closed in valid code. Lines at or before ``floor`` are not read again:
        ``below`` is the answer for ``floor``."""
        text = self.text
        if not self._span_starts and self._spans:
            self._span_starts = [s for s, _ in self._spans]
        starts, safe = self._span_starts, self.syntax.safe_line
        i = text.rfind("\n", floor, pos)
        while i >= 0:
            if safe.match(text, i):
                j = bisect.bisect_right(starts, i) - 1
                if j < 0 or self._spans[j][1] <= i:
                    return i + 1
            i = text.rfind("\n", floor, i)
        return below

    def _head(self, pos: int) -> str:
        """The text before ``pos`` on its line (or on the line before, when that one is empty):
        where a bracket's callee or owner is written. Short, so the end-anchored regexes that
        read it stay cheap."""
        text = self.text
        start = text.rfind("\n", max(0, pos - 160), pos) + 1
        if not text[start:pos].strip() and start > 0:
            start = text.rfind("\n", max(0, start - 161), start - 1) + 1
        return text[max(start, pos - 160) : pos]

    def _opener(self, pos: int) -> int | None:
        """The innermost bracket open at a pending string or at a bracket (after ``_brackets``)."""
        if pos in self._inside:
            return self._inside[pos]
        return self._outer.get(pos)

    def _first_string_arg(self, frame: _Frame) -> str | None:
        m = re.match(r"\s*[\"'`]([^\"'`]*)[\"'`]", self.text[frame.pos + 1 : frame.pos + 200])
        if m is None:
            return ""
        return m.group(1)

    def _flag_in_call(self, frame: _Frame, start: int) -> str:
        """The CLI flag a call declares (``add_argument("--model", default=…)``)."""
        m = re.search(r"[\"'](--?[\w-]+)[\"']", self.text[frame.pos + 1 : start])
        return m.group(1) if m else ""


C_LIKE = Syntax(
    name="c-like",
    token=re.compile(
        r"(?P<s>\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|`[^`\n]*`)"
    ),
    decode=c_like_decode,
    assign=re.compile(
        r"(?:^|[;\s(])(?:(?:const|let|var|val|final|static|public|private|export)\s+)*"
        r"\$?([A-Za-z_][\w.]*)\s*(?::\s*[^=\n]{1,80}?)?\s*:?(?<![=!<>])=\s*$"
    ),
    keyword=re.compile(
        r"(?:^|[\s,({])(?:([A-Za-z_][\w.]*)\s*(?<![=!<>])=|[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*:)\s*$"
    ),
    compare=re.compile(r"(?:([\w.\]\[\"')]+)\s*(?:===?|!==?|-eq|-ne)\s*$)|(?:\bcase\s*$)"),
    owner=re.compile(r"[\"']?\$?([A-Za-z_][\w.\-]*)[\"']?\s*(?::\s*[^=\n]{0,80}?)?\s*[=:]\s*$"),
)


def comment_literals(comment: str, base: int) -> list[Literal]:
    """Literals of one comment (``//``, ``/* */``, ``#``, ``--``), read line by line."""
    ex = Extractor(C_LIKE, "", in_comment=True, base=base)
    offset = 0
    for line in comment.splitlines(keepends=True):
        m = re.match(r"^[ \t]*(?:/\*+|//+|\*+(?!/)|#+|--+|<!--)?[ \t]?", line)
        skip = m.end() if m else 0
        body = re.sub(r"(?:\*/|-->)\s*$", "", line[skip:].rstrip("\r\n"))
        ex.text = body
        ex.comment_text(body, offset + skip)
        offset += len(line)
    return ex.out


def extract(syntax: Syntax, text: str) -> list[Literal]:
    """Every literal of ``text`` the recognizer could accept, with its context."""
    return Extractor(syntax, text).run()


def extract_with_spans(syntax: Syntax, text: str) -> tuple[list[Literal], list[tuple[int, int]]]:
    """:func:`extract`, and the spans of the multi-line strings (docstrings) it passed."""
    ex = Extractor(syntax, text)
    return ex.run(), ex._spans


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) pairs of ``text``."""
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)
