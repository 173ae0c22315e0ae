"""Dependency manifests: the AI SDKs, frameworks and runtimes a project declares."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from typing import ClassVar

from modeldeps.discover.detectors.config_formats import json_events
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, Location, ModelReference

_MAX_MANIFEST_BYTES = 2 * 1024 * 1024

#: PyPI projects (normalized names) → category.
PYPI: dict[str, str] = {
    **dict.fromkeys(
        ["openai", "anthropic", "google-genai", "google-generativeai", "vertexai",
         "google-cloud-aiplatform", "mistralai", "cohere", "groq", "together", "fireworks-ai",
         "huggingface-hub", "ollama", "dashscope", "zhipuai", "zai-sdk", "volcengine-python-sdk",
         "qianfan", "langchain-aws", "replicate", "voyageai", "openai-agents", "aisuite",
         "litellm"],
        "sdk",
    ),
    **dict.fromkeys(
        ["transformers", "sentence-transformers", "diffusers", "dspy", "dspy-ai", "pydantic-ai",
         "pydantic-ai-slim", "crewai", "peft", "trl", "timm", "open-clip-torch", "openai-whisper",
         "faster-whisper", "accelerate", "haystack-ai", "semantic-kernel", "autogen-agentchat"],
        "framework",
    ),
    **dict.fromkeys(
        ["vllm", "sglang", "llama-cpp-python", "mlx-lm", "mlx", "torch", "tensorflow", "jax",
         "onnxruntime", "onnxruntime-gpu", "text-generation", "ctransformers", "exllamav2",
         "tensorrt-llm", "optimum"],
        "runtime",
    ),
}  # fmt: skip
_PYPI_PREFIXES = (("langchain", "framework"), ("llama-index", "framework"))

#: npm packages → category.
NPM: dict[str, str] = {
    **dict.fromkeys(
        ["openai", "@anthropic-ai/sdk", "@google/genai", "@google/generative-ai", "ai", "ollama",
         "@huggingface/inference", "@mistralai/mistralai", "cohere-ai", "groq-sdk", "together-ai",
         "@google-cloud/vertexai", "@azure/openai", "ollama-ai-provider", "replicate"],
        "sdk",
    ),
    **dict.fromkeys(
        ["langchain", "llamaindex", "@huggingface/transformers", "@xenova/transformers",
         "@mastra/core"],
        "framework",
    ),
    **dict.fromkeys(["onnxruntime-node", "onnxruntime-web", "@tensorflow/tfjs",
                     "node-llama-cpp"], "runtime"),
}  # fmt: skip
_NPM_PREFIXES = (("@ai-sdk/", "sdk"), ("@langchain/", "framework"), ("@llamaindex/", "framework"))

_REQ_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)\s*(\[[^\]]*\])?\s*([^;#]*)")
_NPM_SECTIONS = frozenset(
    {"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"}
)


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_category(name: str) -> str | None:
    """The category of an AI package on PyPI, or ``None`` when it is not one we list."""
    n = normalize(name)
    if n in PYPI:
        return PYPI[n]
    for prefix, category in _PYPI_PREFIXES:
        if n.startswith(prefix):
            return category
    return None


def npm_category(name: str) -> str | None:
    """The category of an AI package on npm, or ``None``."""
    if name in NPM:
        return NPM[name]
    for prefix, category in _NPM_PREFIXES:
        if name.startswith(prefix):
            return category
    return None


def parse_requirement(text: str) -> tuple[str, str] | None:
    """``(name, specifier)`` of a PEP 508 line, or ``None`` for options, URLs and blanks."""
    line = text.strip()
    if not line or line.startswith(("#", "-", "git+", "http")):
        return None
    m = _REQ_RE.match(line)
    if m is None:
        return None
    return m.group(1), m.group(3).strip()


class ManifestDetector(Detector):
    """requirements*.txt, pyproject.toml, Pipfile, setup.cfg and package.json."""

    name: ClassVar[str] = "manifests"
    filenames: ClassVar[frozenset[str]] = frozenset(
        {"requirements*.txt", "*requirements.txt", "*-requirements*.txt", "pyproject.toml",
         "Pipfile", "setup.cfg", "package.json"}
    )  # fmt: skip
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        parts = rel.split("/")
        if len(parts) > 1 and parts[-2] == "requirements" and parts[-1].endswith((".txt", ".in")):
            return True
        return super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > _MAX_MANIFEST_BYTES:
            raise DetectorError(f"larger than the {_MAX_MANIFEST_BYTES}-byte cap for manifests")
        name = source.name
        if name == "package.json":
            return list(self._package_json(source))
        if name in {"pyproject.toml", "Pipfile"}:
            return list(self._toml(source))
        if name == "setup.cfg":
            return list(self._setup_cfg(source))
        return list(self._requirements(source, 0, source.text))

    def _dep(self, source: SourceFile, eco: str, name: str, spec: str, offset: int) -> Dependency:
        category = (pypi_category if eco == "pypi" else npm_category)(name) or "sdk"
        line = source.line_of(offset)
        return Dependency(eco, name, spec, Location(source.rel, line), category)

    def _requirements(self, source: SourceFile, base: int, text: str) -> Iterator[Dependency]:
        offset = base
        for line in text.splitlines(keepends=True):
            parsed = parse_requirement(line)
            if parsed is not None and pypi_category(parsed[0]) is not None:
                yield self._dep(source, "pypi", parsed[0], parsed[1], offset)
            offset += len(line)

    def _package_json(self, source: SourceFile) -> Iterator[Dependency]:
        try:
            events = json_events(source.text)
        except ValueError:
            return
        for event in events:
            section = len(event.path) == 2 and event.path[0] in _NPM_SECTIONS
            if section and npm_category(event.path[1]) is not None:
                pos = source.text.rfind(f'"{event.path[1]}"', 0, event.offset)
                yield self._dep(source, "npm", event.path[1], event.value, max(pos, 0))

    def _toml(self, source: SourceFile) -> Iterator[Dependency]:
        try:
            data = tomllib.loads(source.text)
        except tomllib.TOMLDecodeError:
            return
        reqs: list[str] = []
        named: list[tuple[str, object]] = []
        project = data.get("project", {})
        if isinstance(project, dict):
            reqs += _strings(project.get("dependencies"))
            for group in _dict(project.get("optional-dependencies")).values():
                reqs += _strings(group)
        for group in _dict(data.get("dependency-groups")).values():
            reqs += _strings(group)
        poetry = _dict(_dict(data.get("tool")).get("poetry"))
        named += list(_dict(poetry.get("dependencies")).items())
        named += list(_dict(poetry.get("dev-dependencies")).items())
        for group in _dict(poetry.get("group")).values():
            named += list(_dict(_dict(group).get("dependencies")).items())
        for section in ("packages", "dev-packages"):
            named += list(_dict(data.get(section)).items())
        cursor: dict[str, int] = {}
        for req in reqs:
            parsed = parse_requirement(req)
            if parsed is not None and pypi_category(parsed[0]) is not None:
                pos = _find(source.text, req, cursor)
                yield self._dep(source, "pypi", parsed[0], parsed[1], pos)
        for name, spec in named:
            if pypi_category(name) is None:
                continue
            version = spec if isinstance(spec, str) else str(_dict(spec).get("version", ""))
            pos = _find(source.text, name, cursor, key=True)
            yield self._dep(source, "pypi", name, "" if version == "*" else version, pos)

    def _setup_cfg(self, source: SourceFile) -> Iterator[Dependency]:
        m = re.search(r"^install_requires\s*=[^\n]*\n((?:[ \t]+[^\n]*\n?)*)", source.text, re.M)
        if m:
            yield from self._requirements(source, m.start(1), m.group(1))
        x = re.search(r"^\[options\.extras_require\]\n((?:[^\[][^\n]*\n?)*)", source.text, re.M)
        if x:
            body = re.sub(r"^\S[^=\n]*=", lambda k: " " * len(k.group()), x.group(1), flags=re.M)
            yield from self._requirements(source, x.start(1), body)


def _dict(obj: object) -> dict[str, object]:
    return obj if isinstance(obj, dict) else {}


def _strings(obj: object) -> list[str]:
    return [s for s in obj if isinstance(s, str)] if isinstance(obj, list) else []


def _find(text: str, needle: str, cursor: dict[str, int], *, key: bool = False) -> int:
    """Offset of the next occurrence of ``needle`` (as a key when ``key``), searched forward."""
    pattern = rf"(?m)^\s*[\"']?{re.escape(needle)}[\"']?\s*=" if key else re.escape(needle)
    for m in re.finditer(pattern, text[cursor.get(needle, 0) :]):
        pos = cursor.get(needle, 0) + m.start() + (len(m.group()) - len(m.group().lstrip()))
        cursor[needle] = pos + 1
        return pos
    return max(text.find(needle), 0)
