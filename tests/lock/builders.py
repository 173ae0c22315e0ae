"""Real store layouts built on disk: the Hugging Face cache and the Ollama store."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

#: Suffixes the Hub stores with Git LFS by default (its .gitattributes template).
LFS_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".onnx", ".h5", ".msgpack")


def git_blob_sha1(data: bytes) -> str:
    """git's object id of a blob: what the Hub calls a small file's blob id and ETag."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def etag(name: str, data: bytes) -> str:
    """The ETag the Hub serves, which names the blob in the cache."""
    if name.endswith(LFS_SUFFIXES):
        return hashlib.sha256(data).hexdigest()
    return git_blob_sha1(data)


def commit_of(repo: str, files: dict[str, bytes]) -> str:
    """A stable fake commit hash for a repository's content."""
    digest = hashlib.sha1(repo.encode())
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name])
    return digest.hexdigest()


def hf_cache(
    cache: Path, repo: str, files: dict[str, bytes], ref: str = "main", commit: str | None = None
) -> str:
    """A repository cached as huggingface_hub lays it out; returns the commit.

    ``models--org--name/blobs/<etag>`` holds the content, ``refs/<ref>`` the commit, and
    ``snapshots/<commit>/<path>`` is a relative symlink to the blob.
    """
    folder = cache / f"models--{repo.replace('/', '--')}"
    commit = commit or commit_of(repo, files)
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    ref_file = folder / "refs" / ref
    ref_file.parent.mkdir(parents=True, exist_ok=True)
    ref_file.write_text(commit)
    (folder / "blobs").mkdir(exist_ok=True)
    snapshot = folder / "snapshots" / commit
    for name, data in files.items():
        blob = folder / "blobs" / etag(name, data)
        blob.write_bytes(data)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return commit


def blob_of(cache: Path, repo: str, commit: str, name: str) -> Path:
    """The blob a snapshot file points to."""
    link = cache / f"models--{repo.replace('/', '--')}" / "snapshots" / commit / name
    return link.parent / os.readlink(link)


def ollama_store(
    store: Path, name: str, tag: str, weights: bytes, namespace: str = "library"
) -> tuple[str, str]:
    """A model pulled into an Ollama store; returns (manifest digest, weights digest)."""
    blobs = store / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    layers = []
    for media, data in (
        ("application/vnd.ollama.image.model", weights),
        ("application/vnd.ollama.image.template", b"{{ .Prompt }}"),
        ("application/vnd.ollama.image.params", b'{"stop": ["<|im_end|>"]}'),
    ):
        digest = hashlib.sha256(data).hexdigest()
        (blobs / f"sha256-{digest}").write_bytes(data)
        layers.append({"mediaType": media, "digest": f"sha256:{digest}", "size": len(data)})
    config = json.dumps({"model_format": "gguf", "model_family": "llama"}).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    (blobs / f"sha256-{config_digest}").write_bytes(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": f"sha256:{config_digest}",
            "size": len(config),
        },
        "layers": layers,
    }
    raw = json.dumps(manifest).encode()
    mdir = store / "manifests" / "registry.ollama.ai" / namespace / name
    mdir.mkdir(parents=True, exist_ok=True)
    (mdir / tag).write_bytes(raw)
    return f"sha256:{hashlib.sha256(raw).hexdigest()}", str(layers[0]["digest"])
