"""Configuration files (YAML, JSON, TOML, INI, .env): model names and provider URLs by key."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from typing import ClassVar

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.config_formats import (
    ENV_RE,
    INI_RE,
    json_events,
    line_events,
    toml_events,
    yaml_events,
)
from modeldeps.discover.detectors.config_values import (
    MAX_CONFIG_BYTES,
    MODEL_ARGS_RE,
    Event,
    classify,
    judge,
    make_ref,
)
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference

_LOCK_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "composer.json", "tsconfig.json"}
)


def _host_keywords() -> tuple[bytes, ...]:
    return tuple(
        host.strip(".").encode() for host, _ in vocab.PROVIDER_HOSTS if len(host.strip(".")) > 6
    )


class ConfigFileDetector(Detector):
    """YAML, JSON, TOML, INI and ``.env`` files: values under model-ish and base-URL keys."""

    name: ClassVar[str] = "config"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".yaml", ".yml", ".json", ".jsonc", ".toml", ".ini", ".cfg", ".env"}
    )
    filenames: ClassVar[frozenset[str]] = frozenset({".env", ".env.*", ".envrc", "*.env.example"})
    keywords: ClassVar[tuple[bytes, ...]] = (
        b"model",
        b"llm",
        b"repo_id",
        b"deployment_name",
        b"tokenizer_name",
        *_host_keywords(),
    )
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        return rel.rsplit("/", 1)[-1] not in _LOCK_NAMES and super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > MAX_CONFIG_BYTES:
            raise DetectorError(f"larger than the {MAX_CONFIG_BYTES}-byte cap for configuration")
        events = self._events(source)
        ollama_file = "ollama" in source.rel.lower()
        refs: list[ModelReference] = []
        seen: set[tuple[int, str]] = set()
        for event in events:
            if event.path and vocab.normalize_key(event.path[-1]) == "model_args":
                refs.extend(self._model_args(source, event))
                continue
            judged = judge(event, ollama_file=ollama_file)
            if judged is None or (event.offset, judged[0].value) in seen:
                continue
            seen.add((event.offset, judged[0].value))
            found, key = judged
            refs.append(make_ref(source, event.offset, found, self.name, key=key))
        return sorted(refs, key=lambda r: r.sort_key())

    def _model_args(self, source: SourceFile, event: Event) -> Iterator[ModelReference]:
        for m in MODEL_ARGS_RE.finditer(event.value):
            found = classify(m.group(1))
            if found is not None:
                yield make_ref(source, event.offset, found, self.name, key="model_args")

    def _events(self, source: SourceFile) -> list[Event]:
        lower = source.name.lower()
        text = source.text
        try:
            if lower.endswith((".yaml", ".yml")):
                return yaml_events(text, source.partial)
            if lower.endswith((".json", ".jsonc")):
                return json_events(text, source.partial)
            if lower.endswith(".toml"):
                return toml_events(text, source.partial)
            if lower.endswith((".ini", ".cfg")):
                return list(line_events(text, INI_RE))
        except RecursionError:
            source.read_in_part("nested too deeply to parse: read line by line")
            return list(line_events(text, INI_RE))
        except (tomllib.TOMLDecodeError, ValueError):
            return list(line_events(text, INI_RE))
        return list(line_events(text, ENV_RE))
