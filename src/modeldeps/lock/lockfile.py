"""The lockfile's contents as frozen dataclasses, and the checks every value must pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

#: The format version this modeldeps writes; it reads this one and every older one.
LOCK_VERSION = 1

SHA256 = re.compile(r"[0-9a-f]{64}")
SHA1 = re.compile(r"[0-9a-f]{40}")
OLLAMA_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
#: A Hub repository id as the Hub allows it: an optional namespace, then a name.
HUB_REPO = re.compile(r"(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}")
#: An Ollama name: optional host and namespace, model, tag (``qwen2.5:7b``, ``hf.co/org/m:Q4``).
OLLAMA_NAME = re.compile(r"[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*){0,3}:[\w][\w.-]{0,127}")


def safe_relpath(path: str) -> bool:
    """A relative POSIX path that stays below its base: no absolute, ``..``, backslash or NUL."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    parts = path.split("/")
    return all(p not in ("", ".", "..") for p in parts)


@dataclass(frozen=True, slots=True, order=True)
class LockedFile:
    """One file of a Hub revision: its path in the repository, size and the Hub's identity.

    LFS files are identified by the SHA-256 of their content, small files by their git blob
    SHA-1 (``sha1("blob <size>\\0" + content)``), exactly as the Hub and its cache name them.
    """

    path: str
    size: int
    sha256: str | None = None
    git_sha1: str | None = None

    @property
    def algorithm(self) -> str:
        return "sha256" if self.sha256 else "git-sha1"

    @property
    def digest(self) -> str:
        return self.sha256 or self.git_sha1 or ""


@dataclass(frozen=True, slots=True)
class HubPin:
    """A Hub model at the commit a requested revision (``main`` when the code names none) had."""

    repo: str
    requested: str = "main"
    revision: str | None = None  # the 40-hex commit; None when it could not be pinned
    source: str | None = None  # "hf-cache" or "hub-api": where the pin was read
    files: tuple[LockedFile, ...] = ()
    reason: str | None = None  # why it is not pinned
    used_in: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)  # where it starts in the file read

    @property
    def pinned(self) -> bool:
        return self.revision is not None

    @property
    def key(self) -> tuple[str, str]:
        return (self.repo.lower(), self.requested)

    @property
    def name(self) -> str:
        return self.repo if self.requested == "main" else f"{self.repo}@{self.requested}"


@dataclass(frozen=True, slots=True, order=True)
class OllamaLayer:
    """One layer of an Ollama manifest: weights, template, parameters, licence, ..."""

    media_type: str
    digest: str  # "sha256:<64 hex>"
    size: int


@dataclass(frozen=True, slots=True)
class OllamaPin:
    """An Ollama ``name:tag`` at the manifest it pointed to, with every layer's digest."""

    name: str
    manifest: str | None = None  # "sha256:<64 hex>" of the manifest file's bytes
    layers: tuple[OllamaLayer, ...] = ()
    reason: str | None = None
    used_in: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def pinned(self) -> bool:
        return self.manifest is not None

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class LocalPin:
    """A weight file inside the project, by path relative to the project root."""

    path: str
    size: int | None = None
    sha256: str | None = None
    reason: str | None = None
    used_in: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def pinned(self) -> bool:
        return self.sha256 is not None

    @property
    def key(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class ApiPin:
    """A closed-API model name; pinned only when the name itself is a dated, fixed version."""

    model: str
    provider: str | None = None
    pinned: bool = False
    resolves_to: str | None = None  # the dated version an alias pointed to, when the KB knows
    reason: str | None = None
    used_in: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return self.model


Pin = HubPin | OllamaPin | LocalPin | ApiPin


@dataclass(frozen=True, slots=True)
class Lockfile:
    """Everything ``models.lock`` holds, each section sorted by its key."""

    version: int = LOCK_VERSION
    hub: tuple[HubPin, ...] = ()
    ollama: tuple[OllamaPin, ...] = ()
    local: tuple[LocalPin, ...] = ()
    api: tuple[ApiPin, ...] = ()

    def sorted(self) -> Lockfile:
        """The same pins in canonical order: entries by key, files, layers and users sorted."""
        hub = [
            replace(p, files=tuple(sorted(set(p.files))), used_in=tuple(sorted(set(p.used_in))))
            for p in self.hub
        ]
        ollama = [
            replace(p, layers=tuple(sorted(set(p.layers))), used_in=tuple(sorted(set(p.used_in))))
            for p in self.ollama
        ]
        local = [replace(p, used_in=tuple(sorted(set(p.used_in)))) for p in self.local]
        api = [replace(p, used_in=tuple(sorted(set(p.used_in)))) for p in self.api]
        return Lockfile(
            self.version,
            tuple(sorted(hub, key=lambda p: p.key)),
            tuple(sorted(ollama, key=lambda p: p.key)),
            tuple(sorted(local, key=lambda p: p.key)),
            tuple(sorted(api, key=lambda p: p.key)),
        )

    def hub_pin(self, repo: str, requested: str) -> HubPin | None:
        key = (repo.lower(), requested)
        return next((p for p in self.hub if p.key == key), None)

    def entries(self) -> tuple[Pin, ...]:
        return (*self.hub, *self.ollama, *self.local, *self.api)
