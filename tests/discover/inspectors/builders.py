"""Tiny model files and stores, written byte by byte for the inspector tests."""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from gguf import GGUFWriter, TokenType

from modeldeps.discover.inspectors import inspect_file
from modeldeps.model import ArtifactInfo


def inspect(path: Path, root: Path | None = None) -> ArtifactInfo:
    root = root or path.parent
    return inspect_file(path, path.relative_to(root).as_posix(), root)


def safetensors_bytes(
    tensors: dict[str, tuple[str, list[int]]], metadata: dict[str, str] | None = None
) -> bytes:
    widths = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "U8": 1}
    header: dict[str, Any] = {}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        n = int(np.prod(shape)) * widths[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"\0" * offset


def write_gguf(
    path: Path,
    *,
    arch: str = "llama",
    template: str | None = None,
    tokens: list[str] | None = None,
    token_types: list[int] | None = None,
    extra: dict[str, Any] | None = None,
    tensors: dict[str, tuple[int, ...]] | None = None,
) -> Path:
    w = GGUFWriter(str(path), arch)
    w.add_name("tiny-test")
    w.add_file_type(0)
    w.add_string("general.license", "apache-2.0")
    w.add_string("general.base_model.0.repo_url", "https://huggingface.co/org/base")
    for key, value in (extra or {}).items():
        w.add_string(key, value)
    if tokens is not None:
        w.add_tokenizer_model("gpt2")
        w.add_token_list(tokens)
        w.add_token_types(token_types or [int(TokenType.NORMAL)] * len(tokens))
        w.add_token_scores([0.0] * len(tokens))
    if template is not None:
        w.add_chat_template(template)
    for name, shape in (tensors or {"w": (4, 8)}).items():
        w.add_tensor(name, np.zeros(shape, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb(number: int, value: int | bytes | str) -> bytes:
    """One protobuf field: ints as varints, bytes/str length-delimited."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def onnx_bytes(*, external: str | None = None, domain: str = "", raw: bytes = b"\0" * 32) -> bytes:
    tensor = pb(1, 2) + pb(1, 4) + pb(2, 1) + pb(8, "W")
    if external is None:
        tensor += pb(9, raw)
    else:
        tensor += pb(13, pb(1, "location") + pb(2, external)) + pb(14, 1)
    node = pb(1, "X") + pb(1, "W") + pb(2, "Y") + pb(4, "MyOp" if domain else "Add")
    if domain:
        node += pb(7, domain)
    graph = pb(1, node) + pb(2, "g") + pb(5, tensor)
    opsets = pb(8, pb(2, 17)) + (pb(8, pb(1, domain) + pb(2, 1)) if domain else b"")
    return pb(1, 9) + pb(2, "pytorch") + pb(3, "2.4") + pb(7, graph) + opsets


def savedmodel_bytes(ops: list[str]) -> bytes:
    graph = b"".join(pb(1, pb(1, f"n{i}") + pb(2, op)) for i, op in enumerate(ops))
    meta_info = pb(1, pb(4, "serve") + pb(5, "2.15.0"))
    return pb(1, 1) + pb(2, meta_info + pb(2, graph))


def keras_config(*layers: dict[str, Any]) -> dict[str, Any]:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "registered_name": None,
        "config": {"name": "seq", "layers": list(layers)},
    }


def dense() -> dict[str, Any]:
    return {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}}


def write_keras(path: Path, config: dict[str, Any], extra_member: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.8.0"}))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
        if extra_member:
            zf.writestr(extra_member, b"x")
    return path


#: HDF5 files written by h5py (see tests/data/inspectors/hdf5/SOURCES.md).
H5_DATA = Path(__file__).resolve().parents[2] / "data" / "inspectors" / "hdf5"


def h5_sample(name: str) -> bytes:
    """The bytes of a real HDF5 sample; ``*.gz`` samples are decompressed."""
    path = H5_DATA / name
    if name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def fake_hf_cache(root: Path, repo: str, files: dict[str, bytes], ref: str = "main") -> str:
    """A cache laid out as huggingface_hub writes it; returns the commit hash."""
    folder = root / f"models--{repo.replace('/', '--')}"
    commit = hashlib.sha1(repo.encode()).hexdigest()
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / ref).write_text(commit)
    snap = folder / "snapshots" / commit
    (folder / "blobs").mkdir(exist_ok=True)
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        (folder / "blobs" / digest).write_bytes(data)
        link = snap / name
        link.parent.mkdir(parents=True, exist_ok=True)
        depth = "../" * (name.count("/") + 2)
        link.symlink_to(f"{depth}blobs/{digest}")
    return commit


def fake_ollama(root: Path, name: str, tag: str, blob: bytes, namespace: str = "library") -> str:
    digest = hashlib.sha256(blob).hexdigest()
    (root / "blobs").mkdir(parents=True, exist_ok=True)
    (root / "blobs" / f"sha256-{digest}").write_bytes(blob)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"digest": "sha256:" + "0" * 64, "size": 2},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}"},
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "1" * 64},
        ],
    }
    mdir = root / "manifests" / "registry.ollama.ai" / namespace / name
    mdir.mkdir(parents=True, exist_ok=True)
    (mdir / tag).write_text(json.dumps(manifest))
    return digest
