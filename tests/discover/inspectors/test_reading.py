"""How much each inspector reads: small heads for foreign files, truthful bytes_read everywhere."""

from __future__ import annotations

import hashlib
import os
import random
import struct
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.interface import SNIFF_BYTES, InspectContext
from modeldeps.discover.inspectors.pickle_ops import plausible_pickle
from modeldeps.discover.inspectors.pickles import FIRST_READ, HEAD_BYTES
from modeldeps.discover.inspectors.torch_zip import TorchInspector
from modeldeps.model import ArtifactInfo, Severity
from tests.discover.inspectors import builders as b
from tests.discover.inspectors import pickle_gen as g

MB = 1024 * 1024
PAYLOAD = g.call("posix", "system")
#: Eight bytes at each place an HDF5 signature may follow a user block (512 B to 1 MiB).
USER_BLOCK_PROBES = 8 * 12


def run(path: Path) -> ArtifactInfo:
    return inspect_file(path, path.name, path.parent)


def random_file(path: Path, seed: int, size: int) -> Path:
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


@pytest.mark.parametrize("name", ["weights.bin", "model.pt", "data.pkl", "ckpt.pth"])
def test_random_binary_is_unrecognized_after_a_small_head(tmp_path: Path, name: str) -> None:
    info = run(random_file(tmp_path / name, 7, 8 * MB))
    assert info.format == "unrecognized"
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD211", Severity.INFO)]
    assert (
        info.bytes_read is not None
        and info.bytes_read <= SNIFF_BYTES + HEAD_BYTES + USER_BLOCK_PROBES
    )


def test_many_random_heads_stop_at_the_head(tmp_path: Path) -> None:
    for seed in range(40):
        info = run(random_file(tmp_path / f"r{seed}.bin", seed, 3 * MB // 2))
        assert (
            info.bytes_read is not None
            and info.bytes_read <= SNIFF_BYTES + HEAD_BYTES + USER_BLOCK_PROBES
        ), seed
        assert max(f.severity.rank for f in info.findings) <= Severity.LOW.rank, seed


def test_plausibility_needs_valid_stack_and_memo() -> None:
    assert plausible_pickle(g.benign_dict(2)) and plausible_pickle(g.torch_state_dict())
    assert not plausible_pickle(b".")  # STOP with nothing to return
    assert not plausible_pickle(b"\x80\x02e")  # APPENDS without a MARK
    assert not plausible_pickle(b"\x80\x02h\x05")  # memo read of a slot never stored
    # An import before the break is reason enough: the real unpickler imported it already.
    assert plausible_pickle(g.glob("os", "system") + b"\xff")
    assert not plausible_pickle(b"cmod\n\xf8\xf8")


def test_payload_before_an_early_break_is_caught_without_reading_on(tmp_path: Path) -> None:
    # A payload pickle, then corruption, then megabytes: the walk ends at the break.
    data = PAYLOAD[:-1] + b"\xff" + random.Random(3).randbytes(6 * MB)
    info = run(g.write(tmp_path / "broken.bin", data))
    assert max(f.severity for f in info.findings if f.rule_id == "MD201") is Severity.CRITICAL
    assert info.bytes_read is not None and info.bytes_read <= HEAD_BYTES + FIRST_READ


def test_stream_longer_than_the_first_read_is_followed(tmp_path: Path) -> None:
    # A benign pickle holding 3 MB of bytes, then a second pickle with the payload.
    big = g.proto(2) + g.binbytes(b"\x00" * (3 * MB)) + g.STOP
    info = run(g.write(tmp_path / "two.pkl", big + PAYLOAD))
    assert info.format == "pickle"
    assert any(f.rule_id == "MD201" and f.severity is Severity.CRITICAL for f in info.findings)
    legacy = g.legacy_torch(g.proto(2) + g.binbytes(b"\x01" * (2 * MB)) + PAYLOAD[2:])
    info = run(g.write(tmp_path / "old.pt", legacy))
    assert info.format == "pytorch-legacy"
    assert any(f.rule_id == "MD201" and f.severity is Severity.CRITICAL for f in info.findings)


def test_legacy_checkpoint_stops_before_tensor_bytes(tmp_path: Path) -> None:
    data = g.legacy_torch(g.torch_state_dict()) + b"\x00" * (4 * MB)
    info = run(g.write(tmp_path / "old.pt", data))
    assert info.format == "pytorch-legacy" and info.params == 6
    assert info.bytes_read is not None and info.bytes_read <= HEAD_BYTES + FIRST_READ


def _rchar() -> int:
    with open("/proc/self/io", "rb", buffering=0) as fh:
        text = fh.read(4096)
    for line in text.splitlines():
        if line.startswith(b"rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar line")


def _io_text_len() -> int:
    with open("/proc/self/io", "rb", buffering=0) as fh:
        return len(fh.read(4096))


def _samples(tmp: Path) -> dict[str, Callable[[], Path]]:
    st = {"w": ("F32", [64, 64])}
    return {
        "safetensors": lambda: g.write(tmp / "m.safetensors", b.safetensors_bytes(st)),
        "gguf": lambda: b.write_gguf(tmp / "m.gguf", tokens=["a", "b"], template="{{ x }}"),
        "torch-zip": lambda: g.write(tmp / "z.pt", g.torch_zip(g.torch_state_dict())),
        "legacy": lambda: g.write(tmp / "l.pt", g.legacy_torch(g.torch_state_dict())),
        "pickle": lambda: g.write(tmp / "p.pkl", PAYLOAD),
        "random-bin": lambda: random_file(tmp / "r.bin", 1, 300_000),
        "npy": lambda: g.write(tmp / "a.npy", g.npy("<f4", (4,), b"\0" * 16)),
        "onnx": lambda: g.write(tmp / "m.onnx", b.onnx_bytes()),
        "keras": lambda: b.write_keras(tmp / "m.keras", b.keras_config(b.dense())),
        "h5": lambda: g.write(tmp / "m.h5", b.h5_sample("vlen_dense.h5")),
        "h5-broken": lambda: g.write(tmp / "x.h5", b.h5_sample("keras2_lambda.h5")[:3000]),
        "template": lambda: g.write(tmp / "chat_template.jinja", b"{{ messages }}"),
        "bad-safetensors": lambda: g.write(tmp / "bad.safetensors", b"\xff" * 64),
        "zip-bin": lambda: _plain_zip(tmp / "x.bin"),
    }


def _plain_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", b"hello" * 100)
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/io is Linux-only")
@pytest.mark.parametrize("hash_file", [False, True])
def test_bytes_read_matches_the_kernel_count(tmp_path: Path, hash_file: bool) -> None:
    """bytes_read equals what the kernel handed this process during the inspection."""
    for kind, make in _samples(tmp_path).items():
        path = make()
        inspect_file(path, path.name, tmp_path, hash_file=hash_file)  # warm lazy imports
        overhead = _io_text_len()
        before = _rchar()
        info = inspect_file(path, path.name, tmp_path, hash_file=hash_file)
        spent = _rchar() - before - overhead
        assert info.bytes_read == spent, kind
        if hash_file:
            assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), kind
            assert info.bytes_read >= os.path.getsize(path), kind


def test_pickle_members_share_one_budget(tmp_path: Path) -> None:
    # Each member is a pickle whose bytes go on past its STOP, so it costs its whole size.
    members = {
        f"archive/extra{i}.pkl": g.proto(2) + g.binbytes(b"\x00" * 40_000) + g.STOP
        for i in range(3)
    }
    path = g.write(tmp_path / "many.pt", g.torch_zip(g.torch_state_dict(), extra=members))
    ctx = InspectContext(path, path.name, tmp_path, path.stat().st_size, max_pickle_bytes=50_000)
    info = TorchInspector().inspect(ctx)
    assert ctx.meter.total < 50_000 + 3 * 4096 + 8192  # budget, member sniffs and headers
    # Fail closed: members the budget never reached are high, not a quiet medium.
    over = [f for f in info.findings if f.rule_id == "MD209" and f.subject == "size-limit"]
    assert over and over[0].severity is Severity.HIGH


def test_gguf_string_array_count_is_bounded(tmp_path: Path) -> None:
    # One key whose array claims 17 million strings; the file is long enough (sparse) that
    # only a count limit, not the size check, stops a walk of millions of length prefixes.
    key = b"tokenizer.ggml.merges"
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    head += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 8, 17_000_000)
    path = tmp_path / "crafted.gguf"
    path.write_bytes(head)
    with path.open("r+b") as fh:
        fh.truncate(140 * MB)
    start = time.perf_counter()
    info = run(path)
    assert time.perf_counter() - start < 1.0
    assert any(f.rule_id == "MD210" and "limit" in f.message for f in info.findings)


def test_an_inspector_that_fails_leaves_the_file_high_not_clean(tmp_path: Path) -> None:
    # A reader's own error (not a damaged file) means the file was not checked: fail closed.
    from modeldeps.discover.inspectors.interface import Inspector

    class Broken(Inspector):
        name = "broken"

        def sniff(self, head: bytes, ctx: InspectContext) -> bool:
            return True

        def inspect(self, ctx: InspectContext) -> ArtifactInfo:
            raise RuntimeError("a bug")

    path = g.write(tmp_path / "m.pkl", PAYLOAD)
    info = inspect_file(path, path.name, tmp_path, inspectors=(Broken(),))
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD209", Severity.HIGH)]


def test_a_sniff_that_fails_leaves_the_file_high_not_a_crash(tmp_path: Path) -> None:
    # Telling the format apart reads the file too (zip directories, tar headers, user blocks);
    # a failure there must not end the whole run, nor pass the file as unrecognized.
    from modeldeps.discover.inspectors.interface import Inspector

    class BadSniff(Inspector):
        name = "bad-sniff"

        def sniff(self, head: bytes, ctx: InspectContext) -> bool:
            raise NotImplementedError("zip file version 9.9")

        def inspect(self, ctx: InspectContext) -> ArtifactInfo:
            raise AssertionError("never chosen")

    path = g.write(tmp_path / "m.bin", PAYLOAD)
    info = inspect_file(path, path.name, tmp_path, inspectors=(BadSniff(),))
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD209", Severity.HIGH)]
    assert "NotImplementedError" in info.findings[0].message
