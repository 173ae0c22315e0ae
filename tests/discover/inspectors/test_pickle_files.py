"""Raw pickle and joblib files: plain, each compression, bombs and size limits."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections.abc import Callable
from pathlib import Path

import lz4.frame
import pytest

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.interface import InspectContext
from modeldeps.discover.inspectors.pickles import PickleInspector
from modeldeps.model import Severity
from tests.discover.inspectors import pickle_gen as g


def _zfile(data: bytes) -> bytes:
    """joblib's format before 0.10: "ZF", the length in hex padded to 19 characters, zlib."""
    return b"ZF" + hex(len(data)).encode().ljust(19) + zlib.compress(data)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "zlib": zlib.compress,
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
    "lz4": lz4.frame.compress,
    "zfile": _zfile,
}


def top(tmp_path: Path, name: str, data: bytes) -> Severity:
    info = inspect_file(g.write(tmp_path / name, data), name, tmp_path)
    return max((f.severity for f in info.findings), key=lambda s: s.rank)


def test_plain_pickle_payload_and_benign(tmp_path: Path) -> None:
    assert top(tmp_path, "m.pkl", g.call("os", "system")) is Severity.CRITICAL
    assert top(tmp_path, "b.pkl", g.benign_dict()) is Severity.LOW  # MD203 only


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_joblib_payload(tmp_path: Path, kind: str) -> None:
    tail = g.glob("posix", "system") + g.text(g.CMD) + g.TUPLE1 + g.REDUCE + g.APPENDS + g.STOP
    data = COMPRESSORS[kind](g.joblib_array_then(tail))
    info = inspect_file(g.write(tmp_path / "m.joblib", data), "m.joblib", tmp_path)
    assert info.format == "joblib" and info.metadata["compression"] == kind
    assert {f.subject for f in info.findings if f.rule_id == "MD201"} == {"posix.system"}


def test_compression_bomb_is_cut_at_the_limit_and_fails_closed(tmp_path: Path) -> None:
    bomb = zlib.compress(g.proto(4) + g.EMPTY_LIST + g.MARK + g.NONE * (4 * 1024 * 1024))
    path = g.write(tmp_path / "bomb.pkl", bomb)
    ctx = InspectContext(path, "bomb.pkl", tmp_path, path.stat().st_size, max_pickle_bytes=65536)
    info = PickleInspector().inspect(ctx)
    assert any(
        f.rule_id == "MD209" and f.severity is Severity.HIGH and "budget" in f.message
        for f in info.findings
    )
    assert info.bytes_read is not None and info.bytes_read <= len(bomb) + 64


def test_a_corrupt_compressed_stream_is_malformed(tmp_path: Path) -> None:
    # The loader cannot inflate it either, so nothing in it can run: low, not unverifiable.
    info = inspect_file(
        g.write(tmp_path / "m.joblib", b"\x04\x22\x4d\x18" + b"\0" * 32), "m.joblib", tmp_path
    )
    assert ("MD210", Severity.LOW) in [(f.rule_id, f.severity) for f in info.findings]
    assert max(f.severity.rank for f in info.findings) <= Severity.LOW.rank


def test_sklearn_like_pickle_is_allowlisted(tmp_path: Path) -> None:
    data = (
        g.proto(4)
        + g.text("sklearn.linear_model._logistic")
        + g.text("LogisticRegression")
        + g.STACK_GLOBAL
        + g.EMPTY_TUPLE
        + g.NEWOBJ
        + g.EMPTY_DICT
        + g.MARK
        + g.text("C")
        + g.integer(1)
        + g.SETITEMS
        + g.BUILD
        + g.STOP
    )
    assert top(tmp_path, "clf.pkl", data) is Severity.LOW
