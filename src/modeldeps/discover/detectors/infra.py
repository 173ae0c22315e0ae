"""Infrastructure files: model arguments of serving and download commands, env keys, API URLs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.config_files import (
    Classified,
    classify,
    classify_url,
    clean_value,
    is_endpoint_key,
    make_ref,
)
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.model import Dependency, ModelReference, RefKind

#: Files larger than this are not scanned (scripts and manifests are small).
MAX_INFRA_BYTES = 2 * 1024 * 1024

# A token: a quoted string, a shell separator, a comment, or a run of other characters.
_TOKEN_RE = re.compile(
    r"\"(?P<dq>(?:[^\"\\\n]|\\.)*)\"|'(?P<sq>[^'\n]*)'|(?P<sep>&&|\|\||[;|\n])"
    r"|(?:^|(?<=\s))#[^\n]*|(?P<word>[^\s\"',\[\]\\;|&]+)",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    start: int
    end: int
    quoted: bool
    sep: bool  # a command boundary: newline, ``;``, ``&&``, ``|``


def tokenize(text: str) -> list[_Tok]:
    """Shell-ish tokens; commas and brackets separate too (JSON-array ``CMD`` and YAML lists)."""
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        if m.group("dq") is not None:
            toks.append(_Tok(m.group("dq"), m.start("dq"), m.end("dq"), True, False))
        elif m.group("sq") is not None:
            toks.append(_Tok(m.group("sq"), m.start("sq"), m.end("sq"), True, False))
        elif m.group("sep") is not None:
            # a backslash-continued newline does not end the command
            if m.group("sep") == "\n" and text[max(m.start() - 1, 0)] == "\\":
                continue
            toks.append(_Tok(m.group("sep"), m.start(), m.end(), False, True))
        elif m.group("word") is not None and m.group("word") != "-":
            toks.append(_Tok(m.group("word"), m.start(), m.end(), False, False))
    return toks


#: Flags whose value is the model to serve, by the command that reads them.
_MODEL_FLAGS = {
    "--model": "--model",
    "--model-id": "--model-id",
    "--model-path": "--model-path",
    "--model_name_or_path": "--model_name_or_path",
    "--model-name-or-path": "--model-name-or-path",
    "--hf-repo": "--hf-repo",
    "-hf": "-hf",
    "-hfr": "-hf",
    "--tokenizer": "--tokenizer",
}
#: Executables that start a command whose flags we read.
_COMMANDS = {
    "vllm": "vllm",
    "text-generation-launcher": "text-generation-launcher",
    "llama-server": "llama.cpp",
    "llama-cli": "llama.cpp",
    "llama-cpp-server": "llama.cpp",
    "ollama": "ollama",
    "huggingface-cli": "huggingface-cli",
    "hf": "hf",
    "python": "python",
    "python3": "python",
    "sglang": "sglang",
    "docker": "docker",
    "mlx_lm.server": "mlx_lm",
    "mlx_lm.generate": "mlx_lm",
}
_MODULE_COMMANDS = {
    "vllm.entrypoints.openai.api_server": "vllm",
    "sglang.launch_server": "sglang",
    "llama_cpp.server": "llama-cpp-python",
    "mlx_lm.server": "mlx_lm",
    "mlx_lm.generate": "mlx_lm",
}
_YAML_SUFFIXES = (".yaml", ".yml")
_Emit = Callable[..., None]
_JSON_MODEL_RE = re.compile(r"\\?\"model\\?\"\s*:\s*\\?\"([^\"\\\s]+)\\?\"")
_ENV_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\?|:|\+)?=(.*)$")


def _command_name(tok: str) -> str | None:
    base = tok.rsplit("/", 1)[-1]
    return _COMMANDS.get(base)


class InfraDetector(Detector):
    """Dockerfiles, compose, Kubernetes/Helm, shell, Makefile, Procfile, ``.http`` requests."""

    name: ClassVar[str] = "infra"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".sh", ".bash", ".zsh", ".mk", ".http", ".rest", ".dockerfile", ".yaml", ".yml"}
    )
    filenames: ClassVar[frozenset[str]] = frozenset(
        {"Dockerfile", "Dockerfile.*", "*.Dockerfile", "Containerfile", "Containerfile.*",
         "Makefile", "makefile", "GNUmakefile", "Procfile", "Procfile.*"}
    )  # fmt: skip
    keywords: ClassVar[tuple[bytes, ...]] = (
        b"model",
        b"llm",
        b"vllm",
        b"llama",
        b"ollama",
        b"huggingface-cli",
        b"hf download",
        b"-hf",
        *(h.strip(".").encode() for h, _ in vocab.PROVIDER_HOSTS if len(h.strip(".")) > 6),
    )
    version: ClassVar[int] = 1

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        text = source.text
        if len(text) > MAX_INFRA_BYTES:
            return []
        is_yaml = source.name.lower().endswith(_YAML_SUFFIXES)
        ollama_file = "ollama" in text.lower() or ":11434" in text
        out: dict[tuple[int, str], ModelReference] = {}

        def emit(offset: int, found: Classified | None, **ctx: str | None) -> None:
            if found is None or (offset, found.value) in out:
                return
            extra = {k: v for k, v in ctx.items() if v is not None}
            out[(offset, found.value)] = make_ref(source, offset, found, self.name, **extra)

        toks = tokenize(text)
        self._commands(toks, emit, ollama_file)
        if not is_yaml:  # YAML keys (env, base_url) belong to the config detector
            self._assignments(toks, emit, ollama_file)
            ollama_api = ":11434" in text or "/api/chat" in text or "/api/generate" in text
            for m in _JSON_MODEL_RE.finditer(text):
                emit(m.start(1), classify(m.group(1), ollama=ollama_api), key="model",
                     loader="http request body")  # fmt: skip
        return sorted(out.values(), key=lambda r: r.sort_key())

    def _commands(self, toks: list[_Tok], emit: _Emit, ollama_file: bool) -> None:
        command: str | None = None
        for i, tok in enumerate(toks):
            if tok.sep:
                command = None if tok.text != "\n" else command
                continue
            word = tok.text
            name = _command_name(word)
            if name is not None:
                command = name
            if word in _MODULE_COMMANDS and _prev_word(toks, i) == "-m":
                command = _MODULE_COMMANDS[word]
                continue
            nxt = _next_value(toks, i)
            if command == "vllm" and word == "serve" and nxt is not None:
                self._model(nxt, emit, "vllm serve", ollama_file)
            elif command == "ollama" and word in {"pull", "run"} and nxt is not None:
                found = classify(nxt.text, ollama=True)
                if found is not None and found.kind is RefKind.API_MODEL:
                    found = Classified(RefKind.OLLAMA_MODEL, nxt.text, {"provider": "ollama"})
                emit(nxt.start, found, loader=f"ollama {word}")
            elif command in {"huggingface-cli", "hf"} and word == "download" and nxt is not None:
                if not _is_non_model_repo(toks, i):
                    emit(nxt.start, _hub(nxt.text), loader=f"{command} download")
            elif word.startswith("-") and (not tok.quoted or word in _MODEL_FLAGS):
                flag, eq, inline = word.partition("=")
                target = _Tok(inline, tok.start + len(flag) + 1, tok.end, False, False)
                value = target if eq else nxt
                if value is None:
                    continue
                loader = f"{command} {flag}" if command else flag
                if flag in {"-hf", "-hfr", "--hf-repo"}:
                    repo, _, quant = value.text.partition(":")
                    emit(value.start, _hub(repo), loader=loader, quant=quant or None)
                elif _is_model_flag(flag, command, value.text):
                    self._model(value, emit, loader, ollama_file)

    @staticmethod
    def _model(tok: _Tok, emit: _Emit, loader: str, ollama_file: bool) -> None:
        cleaned = clean_value(tok.text)
        if cleaned is None:
            return
        value, env = cleaned
        offset = tok.start + max(tok.text.find(value), 0)
        found = classify(value, ollama=False)
        if found is not None and found.kind is RefKind.ENDPOINT:
            return
        emit(offset, found, loader=loader, env=env)

    @staticmethod
    def _assignments(toks: list[_Tok], emit: _Emit, ollama_file: bool) -> None:
        """``ENV MODEL_ID=…``, ``export OPENAI_MODEL=…``, ``MODEL ?= …``, and provider URLs."""
        for i, tok in enumerate(toks):
            if tok.sep:
                continue
            key: str | None = None
            value: _Tok | None = None
            m = _ENV_ASSIGN_RE.match(tok.text) if not tok.quoted else None
            if m:
                key = m.group(1)
                if m.group(2):
                    value = _Tok(m.group(2), tok.start + m.start(2), tok.end, False, False)
                elif i + 1 < len(toks) and toks[i + 1].start == tok.end:
                    value = toks[i + 1]  # ``KEY="value"``
            elif i + 2 < len(toks) and toks[i + 1].text in {"?=", ":=", "=", "+="}:
                key, value = tok.text, toks[i + 2]  # Makefile ``MODEL ?= value``
            elif i > 0 and toks[i - 1].text in {"ENV", "ARG"} and i + 1 < len(toks):
                key, value = tok.text, toks[i + 1]  # Dockerfile ``ENV MODEL_ID value``
            if key is None or value is None or value.sep:
                if tok.text.startswith(("http://", "https://")):
                    _url(tok, emit)
                continue
            cleaned = clean_value(value.text)
            if cleaned is None:
                continue
            text, env = cleaned
            offset = value.start + max(value.text.find(text), 0)
            if is_endpoint_key(key):
                emit(offset, classify_url(text), key=key)
            elif vocab.is_model_key(key):
                found = classify(text, ollama=ollama_file or "OLLAMA" in key.upper())
                emit(offset, found, key=key, env=env)


def _next_value(toks: list[_Tok], i: int) -> _Tok | None:
    """The token after ``i`` when it is an argument (not a separator, flag or YAML key)."""
    for tok in toks[i + 1 : i + 4]:
        if tok.sep:
            if tok.text == "\n":
                continue  # YAML list items sit on the next line
            return None
        if tok.text.endswith(":") and not tok.quoted:
            return None
        if tok.text.startswith("-") and not tok.quoted:
            return None
        return tok
    return None


def _is_model_flag(flag: str, command: str | None, value: str) -> bool:
    """``--model``-like flags; ``-m`` only for llama.cpp and mlx_lm, or with a GGUF value."""
    if flag in _MODEL_FLAGS:
        return flag != "--tokenizer" or command == "vllm"
    return flag == "-m" and (command in {"llama.cpp", "mlx_lm"} or value.lower().endswith(".gguf"))


def _prev_word(toks: list[_Tok], i: int) -> str:
    """The text of the nearest token before ``i`` that is not a newline."""
    for tok in reversed(toks[max(i - 3, 0) : i]):
        if tok.text != "\n":
            return tok.text
    return ""


def _is_non_model_repo(toks: list[_Tok], i: int) -> bool:
    """``--repo-type dataset|space`` anywhere in the same command."""
    for j in range(i + 1, min(len(toks), i + 40)):
        tok = toks[j]
        if tok.sep and tok.text != "\n":
            break
        if tok.text in {"--repo-type", "--repo_type"} and j + 1 < len(toks):
            return toks[j + 1].text in {"dataset", "space"}
        if tok.text.startswith("--repo-type="):
            return tok.text.split("=", 1)[1] in {"dataset", "space"}
    return False


def _hub(value: str) -> Classified | None:
    cleaned = clean_value(value)
    if cleaned is None or not vocab.looks_like_hub_id(cleaned[0]):
        return None
    return Classified(RefKind.HUB_MODEL, cleaned[0])


def _url(tok: _Tok, emit: _Emit) -> None:
    found = classify_url(tok.text.rstrip(")'\""))
    if found is not None:
        emit(tok.start, found)
