"""Infrastructure files: model arguments of serving and download commands, env keys, API URLs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from modeldeps.discover.detectors.config_values import clean_value
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.recognizer import (
    intrinsic,
    is_url_key,
    key_weight,
    prefilter_words,
    references,
)
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference

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


_TEMPLATE_RE = re.compile(r"\{\{[^\n]*?\}\}")
_TEMPLATE_DEFAULT_RE = re.compile(r"\bdefault\s+(\"[^\"\n]+\")")


def _mask_template(m: re.Match[str]) -> str:
    """A Helm/Go template action of the same length: its ``default "…"`` string, or a mask."""
    body = m.group()
    d = _TEMPLATE_DEFAULT_RE.search(body)
    if d is None:
        return "{{" + "_" * (len(body) - 4) + "}}"
    return " " * d.start(1) + d.group(1) + " " * (len(body) - d.end(1))


def tokenize(text: str) -> list[_Tok]:
    """Shell-ish tokens; commas and brackets separate too (JSON-array ``CMD`` and YAML lists)."""
    if "{{" in text:  # Helm templates are scanned as text, never rendered
        text = _TEMPLATE_RE.sub(_mask_template, text)
    return _scan(text, 0, len(text), nested=False)


def _scan(text: str, start: int, end: int, *, nested: bool) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text, start, end):
        quote = "dq" if m.group("dq") is not None else "sq" if m.group("sq") is not None else ""
        if quote:
            s, e = m.start(quote), m.end(quote)
            body = m.group(quote)
            if not nested and " " in body and len(body) < 4000 and _has_command(body):
                toks.extend(_scan(text, s, e, nested=True))  # ``args: ["vllm serve X …"]``
            else:
                toks.append(_Tok(body, s, e, True, False))
        elif m.group("sep") is not None:
            # a backslash-continued newline does not end the command
            if m.group("sep") == "\n" and text[max(m.start() - 1, 0)] == "\\":
                continue
            toks.append(_Tok(m.group("sep"), m.start(), m.end(), False, True))
        elif m.group("word") is not None and m.group("word") != "-":
            toks.append(_Tok(m.group("word"), m.start(), m.end(), False, False))
    return toks


def _has_command(body: str) -> bool:
    words = body.split()
    return any(w.startswith("--model") or _command_name(w) for w in words)


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
    "--speculative-model": "--speculative-model",
    "--draft-model": "--draft-model",
    "--speculative-draft-model-path": "--speculative-draft-model-path",
}
#: Package managers and the subcommands that install packages: what follows names packages
#: (``pip install spark-md5``, ``npm i gpt-3-encoder``), never models.
_INSTALLERS: dict[str, frozenset[str]] = {
    "pip": frozenset({"install", "download"}),
    "pip3": frozenset({"install", "download"}),
    "uv": frozenset({"add", "install"}),
    "poetry": frozenset({"add"}),
    "pipx": frozenset({"install"}),
    "conda": frozenset({"install", "create"}),
    "mamba": frozenset({"install", "create"}),
    "micromamba": frozenset({"install", "create"}),
    "npm": frozenset({"install", "i", "add"}),
    "pnpm": frozenset({"install", "i", "add"}),
    "yarn": frozenset({"add"}),
    "bun": frozenset({"add", "install", "i"}),
    "apt-get": frozenset({"install"}),
    "apt": frozenset({"install"}),
    "apk": frozenset({"add"}),
    "brew": frozenset({"install"}),
    "go": frozenset({"get", "install"}),
    "cargo": frozenset({"add", "install"}),
    "gem": frozenset({"install"}),
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
#: Commands that serve or pull a model: their model flags name Hub repositories or local weights.
_SERVERS = frozenset(
    {"vllm", "text-generation-launcher", "llama.cpp", "sglang", "mlx_lm", "llama-cpp-python",
     "huggingface-cli", "hf", "ollama", "docker"}
)  # fmt: skip
_LOCAL_REQUEST_RE = re.compile(r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0|:\d{2,5}/)")
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
        (*(prefilter_words() or ()), b"vllm", b"llama", b"ollama", b"huggingface-cli", b"-hf")
        if prefilter_words()
        else ()
    )
    version: ClassVar[int] = 2

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        text = source.text
        if len(text) > MAX_INFRA_BYTES:
            raise DetectorError(f"larger than the {MAX_INFRA_BYTES}-byte cap for this file type")
        is_yaml = source.name.lower().endswith(_YAML_SUFFIXES)
        ollama_file = "ollama" in text.lower() or ":11434" in text
        literals: list[Literal] = []
        used: set[int] = set()

        def emit(offset: int, value: str, site: Site = Site.ARGUMENT, **kw: object) -> None:
            used.add(offset)
            literals.append(Literal(value, offset, site, **kw))  # type: ignore[arg-type]

        toks = tokenize(text)
        used.update(_package_arguments(toks))
        variables = {} if is_yaml else {k: v for _, k, v in _pairs(toks) if not v.sep}
        self._commands(toks, emit, ollama_file, variables, used)
        if not is_yaml:  # YAML keys (env, base_url) belong to the config detector
            self._assignments(toks, emit, ollama_file)
            for m in _JSON_MODEL_RE.finditer(text):
                local = _LOCAL_REQUEST_RE.search(_request_head(text, m.start())) is not None
                expect = Expect.OLLAMA if _ollama_request(text, m.start()) else Expect.ANY
                # a request to a local server names whatever it serves: only a known name counts
                emit(m.start(1), m.group(1), Site.VALUE, key="" if local else "model",
                     call="http request body", expect=expect)  # fmt: skip
            # Any other string: reported only when the recognizer is sure by the string alone
            # (a model URI in a heredoc, a provider URL, a KB model id).
            for tok in toks:
                if tok.sep or tok.start in used or len(tok.text) < 3:
                    continue
                value = tok.text.rstrip(")'\",;")
                found = intrinsic(value)
                if found is not None and found.score >= 0.8:
                    emit(tok.start, value, Site.TEXT, call=_url_call(toks, tok))
        return references(source, literals, self.name)

    def _commands(
        self,
        toks: list[_Tok],
        emit: _Emit,
        ollama_file: bool,
        variables: dict[str, _Tok],
        used: set[int],
    ) -> None:
        command: str | None = None
        # ``ollama create NAME`` makes a model locally: running it later is no dependency
        created = {
            toks[i + 2].text
            for i in range(len(toks) - 2)
            if toks[i].text == "ollama" and toks[i + 1].text == "create"
        }
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
            nxt = _resolve(_next_value(toks, i), variables)
            if command == "vllm" and word == "serve" and nxt is not None:
                self._model(nxt, emit, "vllm serve", Expect.HUB)
            elif command == "ollama" and word in {"pull", "run"} and nxt is not None:
                if nxt.text in created:
                    continue
                emit(nxt.start, nxt.text, call=f"ollama {word}", expect=Expect.OLLAMA)
            elif command in {"huggingface-cli", "hf"} and word == "download" and nxt is not None:
                expect = Expect.NONE if _is_non_model_repo(toks, i) else Expect.HUB
                emit(nxt.start, nxt.text, call=f"{command} download", expect=expect)
            elif word.startswith("-") and (not tok.quoted or word in _MODEL_FLAGS):
                flag, eq, inline = word.partition("=")
                target = _Tok(inline, tok.start + len(flag) + 1, tok.end, False, False)
                value = _resolve(target, variables) if eq else nxt
                if value is None:
                    continue
                loader = f"{command} {flag}" if command else flag
                if flag in {"-hf", "-hfr", "--hf-repo"}:
                    repo, _, quant = value.text.partition(":")
                    ctx = {"quant": quant} if quant else {}
                    emit(value.start, repo, call=loader, key=flag, expect=Expect.HUB, context=ctx)
                elif flag == "--local-dir" and command in {"huggingface-cli", "hf"}:
                    # a download's destination, unless it downloads a dataset or a space
                    start = next((j for j in range(i, -1, -1) if toks[j].text == "download"), i)
                    raw = _next_value(toks, i)  # not a variable set elsewhere
                    mine = "$" not in (inline if eq else raw.text if raw is not None else "$")
                    if mine and not _is_non_model_repo(toks, start):
                        emit(value.start, value.text, call=loader, key=flag, expect=Expect.LOCAL)
                elif _is_model_flag(flag, command, value.text) and command in _SERVERS:
                    self._model(value, emit, loader, Expect.HUB, key=flag)
                elif _is_model_flag(flag, command, value.text) or key_weight(flag) > 0:
                    # a script's own --model flag: a name sure enough by itself, or a path
                    cleaned = clean_value(value.text)
                    found = intrinsic(cleaned[0]) if cleaned is not None else None
                    if found is not None and found.score >= 0.4:
                        self._model(value, emit, loader, Expect.ANY, key=flag)
                elif value is nxt and key_weight(flag) <= -1.0:
                    used.add(value.start)  # ``--served-model-name gpt-4``: an alias, no model

    @staticmethod
    def _model(tok: _Tok, emit: _Emit, loader: str, expect: Expect, key: str = "") -> None:
        cleaned = clean_value(tok.text)
        if cleaned is None:
            return
        value, env = cleaned
        offset = tok.start + max(tok.text.find(value), 0)
        context = {"env": env} if env else {}
        emit(offset, value, call=loader, key=key, expect=expect, context=context)

    @staticmethod
    def _assignments(toks: list[_Tok], emit: _Emit, ollama_file: bool) -> None:
        """``ENV MODEL_ID=…``, ``export OPENAI_MODEL=…``, ``MODEL ?= …``, and provider URLs."""
        for _i, key, value in _pairs(toks):
            if value.sep:
                continue
            cleaned = clean_value(value.text)
            if cleaned is None:
                continue
            text, env = cleaned
            offset = value.start + max(value.text.find(text), 0)
            ollama = (ollama_file or "OLLAMA" in key.upper()) and key_weight(key) > 0
            context: dict[str, str] = {"env": env} if env else {}
            if is_url_key(key):
                context["egress"] = "config"
            expect = Expect.OLLAMA if ollama else Expect.ANY
            emit(offset, text, Site.VALUE, key=key, expect=expect, context=context)


def _package_arguments(toks: list[_Tok]) -> set[int]:
    """Offsets of the package names of install commands (``pip install x y``)."""
    out: set[int] = set()
    manager: frozenset[str] | None = None
    installing = False
    for i, tok in enumerate(toks):
        if tok.sep:
            manager, installing = None, False
            continue
        word = tok.text.lstrip("!")  # ``!pip install x`` in a notebook or a doc
        if manager is None and not installing:
            base = word.rsplit("/", 1)[-1]
            if base in _INSTALLERS and _prev_word(toks, i) not in {"-m"} | set(_INSTALLERS):
                manager = _INSTALLERS[base]
            elif base in {"pip", "pip3"} and _prev_word(toks, i) == "-m":
                manager = _INSTALLERS["pip"]
            continue
        if manager is not None and not installing:
            installing = word in manager
            if word not in {"pip"} and not installing and not word.startswith("-"):
                manager = None
            continue
        if installing and not word.startswith("-"):
            out.add(tok.start)
    return out


def _request_head(text: str, offset: int) -> str:
    window = text[max(0, offset - 800) : offset]
    cut = max(window.rfind("###"), window.rfind("curl "))
    return window[cut:] if cut >= 0 else window


def _url_call(toks: list[_Tok], tok: _Tok) -> str:
    """``curl``/``wget``/``http`` when the URL is that command's argument."""
    for prev in reversed(toks[: toks.index(tok)][-12:]):
        if prev.sep and prev.text != "\n":
            return ""
        if prev.text in {"curl", "wget", "http", "https", "GET", "POST", "PUT"}:
            return "curl" if prev.text not in {"wget"} else "wget"
    return ""


def _ollama_request(text: str, offset: int) -> bool:
    """Whether the request whose body starts near ``offset`` goes to an Ollama server."""
    window = text[max(0, offset - 800) : offset]
    cut = max(window.rfind("###"), window.rfind("curl "))
    head = window[cut:] if cut >= 0 else window
    return ":11434" in head or "/api/chat" in head or "/api/generate" in head


def _pairs(toks: list[_Tok]) -> Iterator[tuple[int, str, _Tok]]:
    """Variable assignments: ``KEY=value``, ``KEY="value"``, ``KEY ?= value``, ``ENV KEY value``."""
    for i, tok in enumerate(toks):
        if tok.sep:
            continue
        m = _ENV_ASSIGN_RE.match(tok.text) if not tok.quoted else None
        if m:
            if m.group(2):
                yield i, m.group(1), _Tok(m.group(2), tok.start + m.start(2), tok.end, False, False)
            elif i + 1 < len(toks) and toks[i + 1].start == tok.end:
                yield i, m.group(1), toks[i + 1]  # ``KEY="value"``
        elif i + 2 < len(toks) and toks[i + 1].text in {"?=", ":=", "=", "+="}:
            yield i, tok.text, toks[i + 2]  # Makefile ``MODEL ?= value``
        elif i > 0 and toks[i - 1].text in {"ENV", "ARG"} and i + 1 < len(toks):
            yield i, tok.text, toks[i + 1]  # Dockerfile ``ENV MODEL_ID value``


_VAR_RE = re.compile(r"^\$(?:\{(\w+)\}|\((\w+)\)|(\w+))$")


def _resolve(tok: _Tok | None, variables: dict[str, _Tok]) -> _Tok | None:
    """``$(GGUF)`` → the value assigned to ``GGUF`` in the same file, located at the use.

    Variables with model-ish names are already references where they are assigned.
    """
    if tok is None or "$" not in tok.text:
        return tok
    m = _VAR_RE.match(tok.text)
    name = next((g for g in m.groups() if g), "") if m else ""
    if not name or name not in variables or key_weight(name) > 0:
        return tok
    # the value is reported where it is written: at the assignment
    return variables[name]


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
        if tok.sep:
            break
        if tok.text in {"--repo-type", "--repo_type"} and j + 1 < len(toks):
            return toks[j + 1].text in {"dataset", "space"}
        if tok.text.startswith("--repo-type="):
            return tok.text.split("=", 1)[1] in {"dataset", "space"}
    return False
