"""JavaScript and TypeScript: model names in SDK calls, provider factories, model lists, unions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.config_values import (
    Classified,
    classify,
    classify_url,
    is_endpoint_key,
    is_modelish_key,
    make_ref,
)
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference, RefKind

#: Sources larger than this are bundles or generated code, not worth a scan.
MAX_JS_BYTES = 1024 * 1024

_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?(?:\*/|\Z))"
    r"|(?P<str>\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<id>[A-Za-z_$][\w$]*)|(?P<num>\d[\w.]*)|(?P<tpl>`)|(?P<p>=>|===|!==|==|\|\||\?\?|[^\s\w])",
    re.DOTALL,
)
_REGEX_RE = re.compile(r"/(?:[^/\\\n\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
#: After these, a ``/`` starts a regular expression rather than a division.
_REGEX_PREV = frozenset("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "=>", ""}


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # id, str, num, p (punctuation), tpl (template literal with substitutions)
    text: str  # for strings: the decoded value
    start: int


def tokenize(text: str) -> list[Tok]:
    """Tokens of JS/TS source; comments dropped, regex literals skipped, plain templates kept."""
    toks: list[Tok] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:  # a lone quote or similar: step over it
            pos += 1
            continue
        kind = m.lastgroup or ""
        if kind in {"ws", "lc", "bc"}:
            pos = m.end()
        elif kind == "str":
            toks.append(Tok("str", _unescape(m.group()[1:-1]), m.start() + 1))
            pos = m.end()
        elif kind == "tpl":
            end, plain = _template_end(text, m.end())
            if plain:
                toks.append(Tok("str", text[m.end() : end - 1], m.end()))
            else:
                toks.append(Tok("tpl", "", m.start()))
            pos = end
        elif kind == "p" and m.group() == "/" and (toks[-1].text if toks else "") in _REGEX_PREV:
            r = _REGEX_RE.match(text, pos)
            pos = r.end() if r else m.end()
        else:
            toks.append(Tok(kind, m.group(), m.start()))
            pos = m.end()
    return toks


def _unescape(body: str) -> str:
    return body.replace("\\'", "'").replace('\\"', '"') if "\\" in body else body


def _template_end(text: str, pos: int) -> tuple[int, bool]:
    """End offset (after the closing backtick) and whether the template has no ``${}``."""
    plain, depth, n = True, 0, len(text)
    while pos < n:
        c = text[pos]
        if c == "\\":
            pos += 2
            continue
        if depth == 0 and c == "`":
            return pos + 1, plain
        if c == "$" and pos + 1 < n and text[pos + 1] == "{":
            plain, depth, pos = False, depth + 1, pos + 2
            continue
        if depth and c == "{":
            depth += 1
        elif depth and c == "}":
            depth -= 1
        pos += 1
    return n, plain


#: Vercel AI SDK provider packages → provider id; also the default names of their instances.
_AI_SDK_PROVIDERS = {
    "openai": "openai", "anthropic": "anthropic", "google": "google", "vertex": "google-vertex",
    "mistral": "mistral", "groq": "groq", "xai": "xai", "deepseek": "deepseek", "azure": "azure",
    "cohere": "cohere", "togetherai": "together", "fireworks": "fireworks", "bedrock": "bedrock",
    "perplexity": "perplexity", "cerebras": "cerebras", "deepinfra": "deepinfra",
    "ollama": "ollama", "openrouter": "openrouter", "qwen": "alibaba",
}  # fmt: skip
_FACTORY_RE = re.compile(r"^create([A-Z]\w*)$")
_PROVIDER_METHODS = frozenset(
    {"chat", "languageModel", "textEmbeddingModel", "embedding", "textEmbedding", "responses",
     "completion", "image", "imageModel", "transcription", "speech", "chatModel"}
)  # fmt: skip
_IMPORT_RE = re.compile(
    r"import\s*\{([^}]*)\}\s*from\s*[\"']((?:@ai-sdk/|ollama-ai-provider|@openrouter/ai-sdk)[^\"']*)"
)
_URL_PATH_RE = re.compile(r"^https?://[^/]+/(?:v\d|api|openai|compatible-mode|inference)")


@dataclass
class _Frame:
    open: str
    callee: str  # dotted name of the call for ``(``; "" otherwise
    owner: str  # variable/key the literal is assigned to, for ``[`` and ``{``
    start: int  # token index of the opening bracket
    args: int = 0  # commas seen, for ``(``


def _dotted_before(toks: list[Tok], i: int) -> str:
    """The dotted name ending just before token ``i`` (``client.chat.completions.create``)."""
    parts: list[str] = []
    j = i - 1
    while j >= 0 and toks[j].kind == "id":
        parts.append(toks[j].text)
        if j >= 1 and toks[j - 1].text in {".", "?."}:
            j -= 2
        else:
            break
    return ".".join(reversed(parts))


def _owner_before(toks: list[Tok], i: int) -> str:
    """The name a literal at token ``i`` is bound to: ``X = [``, ``X: [``, ``enum X {``."""
    if i >= 2 and toks[i - 1].kind == "id" and toks[i - 2].text == "enum":
        return toks[i - 1].text
    if i < 1 or toks[i - 1].text not in {"=", ":"}:
        return ""
    for j in range(i - 2, max(i - 8, -1), -1):
        t = toks[j]
        declared = t.kind in {"id", "str"} and (j == 0 or toks[j - 1].text not in {".", ":"})
        if declared and t.text not in {"string", "readonly", "as", "const", "Array"}:
            return t.text
    return ""


def _assigned_name(toks: list[Tok], i: int) -> str:
    """``NAME`` in ``NAME = process.env.X || "…"``: the name before the nearest ``=``."""
    for j in range(i - 1, max(i - 10, 0), -1):
        if toks[j].text in {";", "{", "}", "("}:
            return ""
        if toks[j].text == "=" and toks[j - 1].kind == "id":
            return toks[j - 1].text
    return ""


class JavaScriptDetector(Detector):
    """OpenAI/Anthropic/Google SDKs, Vercel AI SDK, LangChain.js, ollama-js, transformers.js."""

    name: ClassVar[str] = "javascript"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"}
    )
    keywords: ClassVar[tuple[bytes, ...]] = (
        b"model",
        b"llm",
        b"ai-sdk",
        b"ollama",
        b"transformers",
        *(h.strip(".").encode() for h, _ in vocab.PROVIDER_HOSTS if len(h.strip(".")) > 6),
    )
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        return not name.endswith((".min.js", ".d.ts", ".bundle.js")) and super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > MAX_JS_BYTES:
            raise DetectorError(f"larger than the {MAX_JS_BYTES}-byte cap for JS/TS: not parsed")
        return _Scan(source, self.name).run()


class _Scan:
    """One pass over the tokens of a file with a stack of open brackets."""

    def __init__(self, source: SourceFile, detector: str) -> None:
        self.source = source
        self.detector = detector
        self.toks = tokenize(source.text)
        self.refs: dict[tuple[int, str], ModelReference] = {}
        self.providers = self._provider_bindings()
        self.transformers = "transformers" in source.text

    def _provider_bindings(self) -> dict[str, str]:
        text = self.source.text
        found: dict[str, str] = {}
        if "@ai-sdk/" in text or "ai-provider" in text:
            found.update({k: v for k, v in _AI_SDK_PROVIDERS.items() if k != "google"})
        for m in _IMPORT_RE.finditer(text):
            pkg = m.group(2).rsplit("/", 1)[-1].replace("-ai-provider", "").replace("ai-sdk", "")
            for name in m.group(1).split(","):
                local = name.split(" as ")[-1].strip()
                if local and not local.startswith("create"):
                    found[local] = _AI_SDK_PROVIDERS.get(pkg, pkg or "openrouter")
        toks = self.toks
        for i in range(len(toks) - 3):  # const deepseek = createOpenAI({...})
            if toks[i].kind == "id" and toks[i + 1].text == "=":
                f = _FACTORY_RE.match(toks[i + 2].text)
                if f and toks[i + 3].text == "(":
                    name = f.group(1).lower().replace("compatible", "")
                    # createOpenAI({baseURL}) serves any OpenAI-compatible API: name by shape
                    found[toks[i].text] = (
                        "" if name == "openai" else _AI_SDK_PROVIDERS.get(name, name)
                    )
        return found

    def emit(self, tok: Tok, found: Classified | None, **ctx: str) -> None:
        if found is None or (tok.start, found.value) in self.refs:
            return
        kept = {k: v for k, v in ctx.items() if v}
        self.refs[(tok.start, found.value)] = make_ref(
            self.source, tok.start, found, self.detector, **kept
        )

    def run(self) -> list[ModelReference]:
        toks = self.toks
        stack: list[_Frame] = []
        for i, tok in enumerate(toks):
            t = tok.text
            if tok.kind == "p" and t in "([{":
                callee = _dotted_before(toks, i) if t == "(" else ""
                stack.append(_Frame(t, callee, _owner_before(toks, i), i))
            elif tok.kind == "p" and t in ")]}":
                if stack:
                    stack.pop()
            elif tok.kind == "p" and t == "," and stack:
                stack[-1].args += 1
            elif tok.kind == "id" and t == "type" and i + 2 < len(toks) and toks[i + 2].text == "=":
                self._union(i + 3, toks[i + 1].text)
            elif tok.kind == "str":
                self._string(i, tok, stack)
        return sorted(self.refs.values(), key=lambda r: r.sort_key())

    def _call(self, stack: list[_Frame]) -> str:
        for frame in reversed(stack):
            if frame.open == "(" and frame.callee:
                return frame.callee
        return ""

    def _string(self, i: int, tok: Tok, stack: list[_Frame]) -> None:
        toks = self.toks
        prev = toks[i - 1].text if i else ""
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        top = stack[-1] if stack else None
        call = self._call(stack)
        ollama = "ollama" in call.lower()
        if prev == ":" and i >= 2 and toks[i - 2].kind in {"id", "str"} and nxt != ":":
            key = toks[i - 2].text  # { model: "gpt-4o" } / { baseURL: "…" }
            if is_endpoint_key(key):
                self.emit(tok, classify_url(tok.text), key=key, loader=call or "")
                return
            owner = next((f.owner for f in reversed(stack) if f.owner), "")
            if vocab.is_model_key(key) or (key == "id" and is_modelish_key(owner)):
                self.emit(tok, classify(tok.text, ollama=ollama), key=key, loader=call or "")
                return
        if prev == "=" and i >= 2 and toks[i - 2].kind == "id":
            name = toks[i - 2].text
            if i >= 4 and toks[i - 3].text == ":" and toks[i - 4].kind == "id":
                name = toks[i - 4].text  # const MODEL: string = "…"
            if vocab.is_model_key(name):
                self.emit(tok, classify(tok.text), via=name)  # const MODEL = "…"
                return
        if prev in {"||", "??"}:  # const MODEL = process.env.MODEL || "default"
            name = _assigned_name(toks, i)
            if vocab.is_model_key(name):
                self.emit(tok, classify(tok.text), via=name)
                return
        in_list = top is not None and top.open in "[{" and prev in {"[", ",", "=", ":"}
        listed = in_list and top is not None and (top.open == "[" or prev in {":", "="})
        if listed and top is not None and is_modelish_key(top.owner):
            self.emit(tok, classify(tok.text), via=top.owner)  # model lists, model enums
            return
        if top is not None and top.open == "(" and prev in {"(", ","} and top.callee:
            self._argument(tok, top)
        if tok.text.startswith(("http://", "https://")) and _URL_PATH_RE.match(tok.text):
            self.emit(tok, classify_url(tok.text), loader=call)

    def _argument(self, tok: Tok, frame: _Frame) -> None:
        callee = frame.callee
        head, _, method = callee.rpartition(".")
        base = head if method in _PROVIDER_METHODS and head else callee
        if frame.args == 0 and base in self.providers:
            provider = self.providers[base]
            found = classify(tok.text, ollama=provider == "ollama")
            if (
                provider
                and found is not None
                and found.kind in {RefKind.API_MODEL, RefKind.HUB_MODEL}
            ):
                found = Classified(found.kind, found.value, {"provider": provider})
            elif found is None and provider == "ollama" and vocab.OLLAMA_TAG_RE.match(tok.text):
                found = Classified(RefKind.OLLAMA_MODEL, tok.text, {"provider": "ollama"})
            self.emit(tok, found, loader=f"ai-sdk {callee}")
        elif self.transformers and (
            (method == "from_pretrained" and frame.args == 0)
            or (callee == "pipeline" and frame.args == 1)
        ):
            self.emit(tok, classify(tok.text), loader=f"transformers.js {callee}")

    def _union(self, i: int, name: str) -> None:
        """``type ChatModel = "gpt-4o" | "claude-3-5-sonnet-latest"``."""
        if "model" not in name.lower():
            return
        for tok in self.toks[i : i + 500]:
            if tok.kind == "str":
                self.emit(tok, classify(tok.text), via=name)
            elif tok.text not in {"|", "(", ")"} and not (
                tok.kind == "id" and tok.text == "string"
            ):
                return
