"""Read and write ``models.lock``: a fixed, sorted TOML layout, strict checks, line-exact errors.

The writer is a few lines of our own rather than a TOML library: the lock holds only strings,
integers, booleans, string lists and lists of flat tables, and its layout is part of the format.
One line per file means a changed file is a one-line diff; a library that switches an array
between inline tables and ``[[table]]`` blocks by line length reformats a whole model's list when
one file is added. Every written file is read back by ``tomllib`` in the tests.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from modeldeps.errors import InputError
from modeldeps.lock.lockfile import (
    HUB_REPO,
    LOCK_VERSION,
    OLLAMA_DIGEST,
    OLLAMA_NAME,
    SHA1,
    SHA256,
    ApiPin,
    HubPin,
    LocalPin,
    LockedFile,
    Lockfile,
    OllamaLayer,
    OllamaPin,
    safe_relpath,
)

#: The lockfile is small; anything much larger is not one of ours.
MAX_LOCK_BYTES = 64 * 1024 * 1024

HEADER = (
    "# models.lock: the exact bytes of every AI model this project uses.\n"
    "# Written by `modeldeps lock` and checked by `modeldeps verify`. Format: docs/lockfile.md\n"
)

# --- writing ---------------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _str(value: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"not valid Unicode: {value!r}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the lockfile")


def _inline(row: Mapping[str, object]) -> str:
    return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in row.items() if v is not None) + " }"


def _table(name: str, scalars: Mapping[str, object], lists: Mapping[str, Iterable[Any]]) -> str:
    lines = [f"[[{name}]]"]
    lines += [f"{k} = {_value(v)}" for k, v in scalars.items() if v is not None]
    for key, items in lists.items():
        rows = [_inline(i) if isinstance(i, Mapping) else _value(i) for i in items]
        if not rows:
            continue
        lines.append(f"{key} = [")
        lines += [f"  {r}," for r in rows]
        lines.append("]")
    return "\n".join(lines) + "\n"


def _hub(p: HubPin) -> str:
    files = [
        {"path": f.path, "size": f.size, "sha256": f.sha256, "git_sha1": f.git_sha1}
        for f in p.files
    ]
    scalars = {
        "repo": p.repo,
        "requested": p.requested,
        "pinned": p.pinned,
        "revision": p.revision,
        "source": p.source,
        "reason": p.reason,
    }
    return _table("hub", scalars, {"used_in": p.used_in, "files": files})


def _ollama(p: OllamaPin) -> str:
    layers = [{"media_type": x.media_type, "digest": x.digest, "size": x.size} for x in p.layers]
    scalars = {"name": p.name, "pinned": p.pinned, "manifest": p.manifest, "reason": p.reason}
    return _table("ollama", scalars, {"used_in": p.used_in, "layers": layers})


def _local(p: LocalPin) -> str:
    scalars = {
        "path": p.path,
        "pinned": p.pinned,
        "size": p.size,
        "sha256": p.sha256,
        "reason": p.reason,
    }
    return _table("local", scalars, {"used_in": p.used_in})


def _api(p: ApiPin) -> str:
    scalars = {
        "model": p.model,
        "provider": p.provider,
        "pinned": p.pinned,
        "resolves_to": p.resolves_to,
        "reason": p.reason,
    }
    return _table("api", scalars, {"used_in": p.used_in})


def dumps(lock: Lockfile) -> str:
    """The lockfile's text: sorted, stable, the same bytes for the same pins on every run."""
    lock = lock.sorted()
    blocks = [HEADER + f"version = {LOCK_VERSION}\n"]
    blocks += [_hub(p) for p in lock.hub]
    blocks += [_ollama(p) for p in lock.ollama]
    blocks += [_local(p) for p in lock.local]
    blocks += [_api(p) for p in lock.api]
    return "\n".join(blocks)


def write(lock: Lockfile, path: Path) -> None:
    """Write ``lock`` to ``path`` atomically, so a crash never leaves half a lockfile."""
    text = dumps(lock)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(path)


# --- reading ---------------------------------------------------------------------------------

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_HEADER_LINE = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\]\]")
_KEY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*=")

#: Older format versions, each upgraded one step to the next in memory (none yet).
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class _Lines:
    """Finds the line of a table or key in the lock's text, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            m = _HEADER_LINE.match(line)
            if m:
                self.headers.setdefault(m.group(1), []).append(number)

    def table(self, section: str, index: int) -> int | None:
        starts = self.headers.get(section, [])
        return starts[index] if index < len(starts) else None

    def key(
        self, section: str | None, index: int, key: str, needle: str | None = None
    ) -> int | None:
        """The line of ``key`` (or of ``needle``) inside the index-th ``[[section]]`` table."""
        start = 1 if section is None else self.table(section, index)
        if start is None:
            return None
        for number in range(start + (0 if section is None else 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            if _HEADER_LINE.match(line):
                break
            if needle is not None:
                if needle in line:
                    return number
                continue
            m = _KEY_LINE.match(line)
            if m and m.group(1) == key:
                return number
        return start


class _Checker:
    """Typed access to one table of the lock, raising ``InputError`` at the right line."""

    def __init__(
        self, file: str, lines: _Lines, section: str | None, index: int, data: Any
    ) -> None:
        self.file, self.lines, self.section, self.index = file, lines, section, index
        self.where = f"[[{section}]] #{index + 1}: " if section else ""
        if not isinstance(data, dict):
            self.fail("", "must be a table")
        self.data: dict[str, Any] = data

    def fail(self, key: str, message: str, needle: str | None = None) -> NoReturn:
        line = self.lines.key(self.section, self.index, key, needle) if key or needle else None
        if line is None and self.section:
            line = self.lines.table(self.section, self.index)
        label = f"{key}: " if key else ""
        raise InputError(f"{self.where}{label}{message}", file=self.file, line=line)

    def only(self, allowed: Iterable[str]) -> None:
        extra = sorted(set(self.data) - set(allowed))
        if extra:
            self.fail(extra[0], f"unknown key (known: {', '.join(sorted(allowed))})")

    def get(self, key: str, kind: type, required: bool = False) -> Any:
        if key not in self.data:
            if required:
                self.fail("", f"missing key {key!r}")
            return None
        value = self.data[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.fail(key, f"expected an integer, got {value!r}")
        if kind is not int and not isinstance(value, kind):
            self.fail(key, f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    def text(
        self, key: str, pattern: re.Pattern[str] | None = None, required: bool = False
    ) -> str | None:
        value = self.get(key, str, required)
        if value is not None and pattern is not None and not pattern.fullmatch(value):
            self.fail(key, f"malformed value {value!r}")
        return None if value is None else str(value)

    def size(self, key: str, value: Any, needle: str | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(key, f"expected a size in bytes, got {value!r}", needle)
        return int(value)

    def paths(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list) or []
        for item in value:
            if not isinstance(item, str) or not safe_relpath(item):
                self.fail(key, f"not a relative path inside the project: {item!r}")
        return tuple(value)

    def pinned(self, what: str) -> bool:
        pinned = self.get("pinned", bool, required=True)
        if not pinned and not self.data.get("reason"):
            self.fail("pinned", f"an unpinned {what} needs a 'reason'")
        return bool(pinned)

    def rows(self, key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        value = self.get(key, list) or []
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                self.fail(key, f"item {i + 1} must be a table")
            extra = sorted(set(row) - set(fields))
            if extra:
                self.fail(key, f"item {i + 1}: unknown key {extra[0]!r}")
        return list(value)


def _hub_pin(c: _Checker) -> HubPin:
    c.only(("repo", "requested", "pinned", "revision", "source", "reason", "used_in", "files"))
    repo = c.text("repo", HUB_REPO, required=True)
    requested = c.text("requested", required=True)
    assert repo is not None and requested is not None
    if not requested or "\0" in requested or len(requested) > 256:
        c.fail("requested", f"malformed revision {requested!r}")
    pinned = c.pinned("model")
    revision = c.text("revision", SHA1)
    source = c.text("source")
    if pinned and revision is None:
        c.fail("revision", "a pinned Hub model needs its 40-hex commit 'revision'")
    if source not in (None, "hf-cache", "hub-api"):
        c.fail("source", f"unknown source {source!r} (hf-cache or hub-api)")
    files: list[LockedFile] = []
    seen: set[str] = set()
    for row in c.rows("files", ("path", "size", "sha256", "git_sha1")):
        path = row.get("path")
        if not isinstance(path, str) or not safe_relpath(path):
            c.fail("files", f"file path not inside the repository: {path!r}")
        needle = f'"{path}"'
        if path in seen:
            c.fail("files", f"file listed twice: {path}", needle)
        seen.add(path)
        size = c.size("files", row.get("size"), needle)
        sha256, sha1 = row.get("sha256"), row.get("git_sha1")
        if (sha256 is None) == (sha1 is None):
            c.fail("files", f"{path}: exactly one of sha256 or git_sha1 is needed", needle)
        if sha256 is not None and not (isinstance(sha256, str) and SHA256.fullmatch(sha256)):
            c.fail("files", f"{path}: malformed sha256 {sha256!r}", needle)
        if sha1 is not None and not (isinstance(sha1, str) and SHA1.fullmatch(sha1)):
            c.fail("files", f"{path}: malformed git_sha1 {sha1!r}", needle)
        files.append(LockedFile(path, size, sha256, sha1))
    return HubPin(
        repo,
        requested,
        revision if pinned else None,
        source,
        tuple(sorted(files)),
        c.text("reason"),
        c.paths("used_in"),
        c.lines.table("hub", c.index),
    )


def _ollama_pin(c: _Checker) -> OllamaPin:
    c.only(("name", "pinned", "manifest", "reason", "used_in", "layers"))
    name = c.text("name", OLLAMA_NAME, required=True)
    assert name is not None
    pinned = c.pinned("model")
    manifest = c.text("manifest", OLLAMA_DIGEST)
    if pinned and manifest is None:
        c.fail("manifest", "a pinned Ollama model needs its 'manifest' digest")
    layers: list[OllamaLayer] = []
    for row in c.rows("layers", ("media_type", "digest", "size")):
        digest = row.get("digest")
        if not isinstance(digest, str) or not OLLAMA_DIGEST.fullmatch(digest):
            c.fail("layers", f"malformed layer digest {digest!r}", str(digest))
        media = row.get("media_type")
        if not isinstance(media, str) or not media:
            c.fail("layers", f"layer {digest} needs a media_type", str(digest))
        layers.append(
            OllamaLayer(str(media), str(digest), c.size("layers", row.get("size"), str(digest)))
        )
    return OllamaPin(
        name,
        manifest if pinned else None,
        tuple(layers),
        c.text("reason"),
        c.paths("used_in"),
        c.lines.table("ollama", c.index),
    )


def _local_pin(c: _Checker) -> LocalPin:
    c.only(("path", "pinned", "size", "sha256", "reason", "used_in"))
    path = c.text("path", required=True)
    assert path is not None
    pinned = c.pinned("file")
    if pinned and not safe_relpath(path):
        c.fail("path", f"not a relative path inside the project: {path!r}")
    sha256 = c.text("sha256", SHA256)
    size = c.get("size", int)
    if pinned and (sha256 is None or size is None):
        c.fail("sha256", "a pinned file needs 'size' and 'sha256'")
    if size is not None:
        c.size("size", size)
    return LocalPin(
        path,
        size if pinned else None,
        sha256 if pinned else None,
        c.text("reason"),
        c.paths("used_in"),
        c.lines.table("local", c.index),
    )


def _api_pin(c: _Checker) -> ApiPin:
    c.only(("model", "provider", "pinned", "resolves_to", "reason", "used_in"))
    model = c.text("model", required=True)
    assert model is not None
    if not model or len(model) > 256 or any(ord(ch) < 0x20 for ch in model):
        c.fail("model", f"malformed model name {model!r}")
    return ApiPin(
        model,
        c.text("provider"),
        c.pinned("model"),
        c.text("resolves_to"),
        c.text("reason"),
        c.paths("used_in"),
        c.lines.table("api", c.index),
    )


_SECTIONS: dict[str, Callable[[_Checker], Any]] = {
    "hub": _hub_pin,
    "ollama": _ollama_pin,
    "local": _local_pin,
    "api": _api_pin,
}


def loads(text: str, file: str = "models.lock") -> Lockfile:
    """Parse and check a lockfile; any problem is an ``InputError`` naming the file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _AT_LINE.search(str(exc))
        message = _AT_LINE.sub("", str(exc)).strip()
        raise InputError(
            f"not valid TOML: {message}", file=file, line=int(m.group(1)) if m else None
        ) from None
    lines = _Lines(text)
    top = _Checker(file, lines, None, 0, data)
    version = top.get("version", int, required=True)
    if version > LOCK_VERSION:
        top.fail(
            "version",
            f"format version {version} is newer than this modeldeps reads (up to {LOCK_VERSION}); "
            "upgrade modeldeps. The file was left unchanged",
        )
    if version < 1:
        top.fail("version", f"unknown format version {version}")
    while version < LOCK_VERSION:  # upgrade step by step, in memory only
        data = _UPGRADES[version](data)
        version += 1
    top.only(("version", *_SECTIONS))
    parsed: dict[str, list[Any]] = {}
    for section, build in _SECTIONS.items():
        tables = data.get(section, [])
        if not isinstance(tables, list):
            top.fail(section, "must be an array of tables ([[" + section + "]])")
        items = [build(_Checker(file, lines, section, i, t)) for i, t in enumerate(tables)]
        keys = [p.key for p in items]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                _Checker(file, lines, section, i, tables[i]).fail("", f"duplicate entry {k}")
        parsed[section] = items
    return Lockfile(
        LOCK_VERSION,
        tuple(parsed["hub"]),
        tuple(parsed["ollama"]),
        tuple(parsed["local"]),
        tuple(parsed["api"]),
    )


def read(path: Path) -> Lockfile:
    """Read and check ``path``; unreadable, oversized or malformed files raise ``InputError``."""
    name = path.name
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_LOCK_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if len(raw) > MAX_LOCK_BYTES:
        raise InputError(f"larger than {MAX_LOCK_BYTES} bytes; not a lockfile", file=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", file=name, line=line) from None
    return loads(text, name)
