"""Configuration files (YAML, JSON, TOML, INI, every ``.env*``): values judged by the recognizer.

A reader turns the file into events (the keys leading to a scalar, its text, where it starts,
its list or mapping, its siblings), commented-out settings included; each event becomes a
literal whose key is the nearest key that says something (``models.quick.id`` is read as the
models' id), and the recognizer decides.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from typing import ClassVar

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.config_formats import (
    ENV_RE,
    INI_RE,
    comment_events,
    json_events,
    line_events,
    toml_events,
    yaml_events,
)
from modeldeps.discover.detectors.config_values import (
    MAX_CONFIG_BYTES,
    MAX_DEPTH,
    MODEL_ARGS_RE,
    Event,
    clean_value,
)
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.recognizer import (
    PROVIDER_PREFIXES,
    key_weight,
    prefilter_words,
    references,
)
from modeldeps.errors import DetectorError
from modeldeps.model import ContextValue, Dependency, ModelReference

_LOCK_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "composer.json", "tsconfig.json", "yarn.lock"}
)
#: Suffixes of templates and examples of a configuration file (``config.json.template``).
_TEMPLATE_SUFFIXES = (".template", ".example", ".sample", ".dist", ".tpl", ".default", ".orig")
#: Keys that name a part of something: what they mean depends on the key above them.
_CHILD_KEYS = frozenset(
    {"id", "name", "path", "url", "uri", "repo", "repo_id", "value", "source", "ref", "src",
     "location", "file", "dir", "endpoint", "base", "default", "primary", "fallback"}
)  # fmt: skip


def _own_output(head: str) -> bool:
    """A modeldeps JSON report (schema and tool versions) or baseline (rule ids, fingerprints)."""
    if '"schema_version"' in head and '"tool_version"' in head:
        return True
    return '"fingerprint"' in head and '"rule_id"' in head


_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")
_PROVIDER_KEYS = ("provider", "providerId", "provider_id", "type", "backend", "api_type", "engine")


def _format(name: str) -> str:
    lower = name.lower()
    for suffix in _TEMPLATE_SUFFIXES:
        if lower.endswith(suffix) and lower.count(".") >= 2:
            lower = lower[: -len(suffix)]
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith((".json", ".jsonc", ".json5")):
        return "json"
    if lower.endswith(".toml"):
        return "toml"
    if lower.endswith((".ini", ".cfg", ".conf", ".properties")):
        return "ini"
    return "env"


def _is_env_name(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(".env") or lower.endswith(".env") or ".env." in lower


class ConfigFileDetector(Detector):
    """YAML, JSON, TOML, INI and every ``.env*`` file (templates and examples included)."""

    name: ClassVar[str] = "config"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".yaml", ".yml", ".json", ".jsonc", ".json5", ".toml", ".ini", ".cfg", ".env",
         ".properties", ".conf"}
    )  # fmt: skip
    filenames: ClassVar[frozenset[str]] = frozenset(
        {".env", ".env*", "*.env", ".envrc", "*.env.*", "*.yaml.*", "*.yml.*", "*.json.*",
         "*.toml.*", "*.ini.*", "*.cfg.*"}
    )  # fmt: skip
    keywords: ClassVar[tuple[bytes, ...]] = prefilter_words() or ()
    version: ClassVar[int] = 2

    def accepts(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        if name in _LOCK_NAMES or name.endswith((".lock", ".map")):
            return False
        return super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > MAX_CONFIG_BYTES:
            raise DetectorError(f"larger than the {MAX_CONFIG_BYTES}-byte cap for configuration")
        if _own_output(source.text[:8192]):
            return []  # a modeldeps report or baseline: our own output, not configuration
        ollama_file = "ollama" in source.rel.lower()
        datasets = bool(_DATASET_FILE.search(source.name))
        literals: list[Literal] = []
        for event in self._events(source):
            if (datasets or _DATASET_RECORD & event.siblings.keys()) and not vocab.is_model_key(
                event.path[-1] if event.path else ""
            ):
                continue  # a dataset registry names datasets, however Hub-like their ids
            literals.extend(_literals(event, ollama_file))
        return references(source, literals, self.name)

    def _events(self, source: SourceFile) -> list[Event]:
        text = source.text
        kind = _format(source.name)
        events: list[Event]
        try:
            if kind == "yaml":
                events = yaml_events(text)
            elif kind == "json":
                events = json_events(text)
            elif kind == "toml":
                events = toml_events(text)
            elif kind == "ini":
                events = list(line_events(text, INI_RE))
            else:
                events = list(line_events(text, ENV_RE))
        except RecursionError:
            source.read_in_part("nested too deeply to parse: read line by line")
            events = list(line_events(text, INI_RE))
        except (tomllib.TOMLDecodeError, ValueError) as exc:
            if "nested too deeply" in str(exc):  # json_events' depth limit
                source.read_in_part(f"nested deeper than {MAX_DEPTH} levels: read line by line")
            events = list(line_events(text, INI_RE))
        if kind != "json" and "#" in text:
            events.extend(comment_events(text))
        return events


def _effective_key(path: tuple[str, ...]) -> str:
    """The key that says what a value is: a generic child key is read with its parents."""
    if not path:
        return ""
    key = path[-1]
    if vocab.normalize_key(key) not in _CHILD_KEYS:
        return key
    for parent in reversed(path[:-1]):
        if key_weight(parent) > 0:
            return f"{parent}.{key}"
        if vocab.normalize_key(parent) not in _CHILD_KEYS and not parent.isdigit():
            break
    return key


_SECTION_VETO = re.compile(
    r"(?:^|_)(?:output|outputs|save|export|push|dataset|datasets|display|"
    r"prompt|prompts|eval_dataset|train_dataset|hub_model_id|labels|selector|"
    r"match_labels|annotations|node_selector|dependencies|dev_dependencies|peer_dependencies|"
    r"optional_dependencies|requires|install_requires|extras_require|requirements|packages|"
    r"pip|npm)(?:$|_)"
)
#: Files that register datasets (``dataset_info.json``, ``datasets.yaml``, ``data_config``).
_DATASET_FILE = re.compile(r"(?i)(?:^|[_\-.])(?:datasets?|data_info|data_config)(?:[_\-.]|$)")
#: Keys that make a mapping the record of a dataset (LLaMA-Factory, Axolotl, TRL recipes): its
#: other values are dataset ids, subsets, splits and columns.
_DATASET_RECORD = frozenset(
    {"hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "formatting", "columns", "split",
     "subset", "data_files", "ranking", "cloud_file_name", "ds_type", "conversation_column"}
)  # fmt: skip
#: Sections of container images (Helm ``image: {repository, tag}``); a model key under an
#: ``image:`` section of an application's settings (``image: {model: dall-e-3}``) still counts.
_IMAGE_SECTION = re.compile(r"(?:^|_)(?:docker|container|image|images)(?:$|_)")


def _literals(event: Event, ollama_file: bool) -> Iterator[Literal]:
    path = event.path
    for parent in path[:-1]:
        section = vocab.normalize_key(parent)
        if _SECTION_VETO.search(section):
            return  # under an output, dataset or display section
        if _IMAGE_SECTION.search(section) and not (path and vocab.is_model_key(path[-1])):
            return  # a container image's repository and tag
    key = _effective_key(path)
    value = event.value
    if path and vocab.normalize_key(path[-1]) == "model_args":
        for arg in MODEL_ARGS_RE.finditer(value):
            yield Literal(arg.group(1), event.offset + arg.start(1), Site.VALUE, key="model")
        return
    m = _ASSIGN_RE.match(value.strip())
    flag = re.match(r"^(--?[\w-]+)=(\S+)$", value.strip())
    if m:  # compose ``environment: [MODEL_ID=…]``
        key, value = m.group(1), m.group(2)
    elif flag:  # ``args: ["--tokenizer=org/name"]``
        key, value = flag.group(1), flag.group(2)
    elif vocab.normalize_key(key) == "value" and "name" in event.siblings:
        key = event.siblings["name"]  # Kubernetes ``env: [{name: MODEL_ID, value: …}]``
    if vocab.normalize_key(key) == "model_name" and "litellm_params" in event.siblings:
        return  # a LiteLLM proxy alias, not the model the proxy calls
    cleaned = clean_value(value)
    if cleaned is None:
        return
    text, env = cleaned
    offset = event.offset + max(event.value.find(text), 0)
    context: dict[str, ContextValue] = {"env": env} if env else {}
    provider_words = " ".join(event.siblings.get(k, "") for k in _PROVIDER_KEYS).lower()
    provider = next(
        (PROVIDER_PREFIXES[w] for w in provider_words.split() if PROVIDER_PREFIXES.get(w)), None
    )
    ollama = (
        ollama_file
        or "ollama" in key.lower()
        or any("ollama" in p.lower() for p in path)
        or "ollama" in provider_words.split()
    )
    expect = Expect.OLLAMA if ollama and key_weight(key) > 0 else Expect.ANY
    # Items of one list are a collection; the values of one mapping are settings of
    # different kinds, so they are no collection (``model:`` beside ``flash_attn:``).
    listed = bool(event.group) and event.group % 2 == 0
    site = Site.ELEMENT if listed else Site.VALUE
    group = event.group if listed else 0
    if "," in text and " " not in text and "://" not in text and key_weight(key) > 0:
        # ``OPENAI_COMPATIBLE_MODELS=deepseek-chat,deepseek-reasoner``
        start = 0
        for part in text.split(","):
            if part:
                yield Literal(
                    part,
                    offset + start,
                    Site.ELEMENT,
                    key=key,
                    group=offset + 1,
                    in_comment=event.in_comment,
                    provider=provider,
                    context=context,
                )
            start += len(part) + 1
        return
    yield Literal(
        text,
        offset,
        site,
        key=key,
        group=group,
        expect=expect,
        provider=provider,
        in_comment=event.in_comment,
        context=context,
    )
