"""Property-based fuzzing: random and mutated input never escapes as an exception or hangs."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.numpy_files import parse_npy_header
from modeldeps.discover.inspectors.pickle_ops import Limits, analyse
from tests.discover.inspectors import pickle_gen as g

SEEDS = [
    g.call("os", "system"),
    g.stack_call("posix", "system"),
    g.torch_state_dict(),
    g.legacy_torch(g.torch_state_dict()),
    g.joblib_array_then(g.APPENDS + g.STOP),
    g.proto(4) + g.binbytes(g.call("os", "system", protocol=4)) + g.STOP,
]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=8))
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 32))]
    return bytes(data)


@FAST
@given(st.one_of(st.binary(max_size=512), mutated()))
def test_analyse_never_raises_and_is_bounded(data: bytes) -> None:
    start = time.monotonic()
    a = analyse(data, limits=Limits(max_ops=50_000, max_seconds=2.0), joblib=True)
    assert time.monotonic() - start < 5.0
    assert a.ops <= 50_000 + 1
    assert a.pickles >= 0


@FAST
@given(st.binary(max_size=300))
def test_npy_header_only_raises_value_error(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_npy_header(b"\x93NUMPY" + data)


@pytest.mark.parametrize("suffix", [".pkl", ".pt", ".bin", ".joblib", ".npy", ".npz", ".zip"])
def test_inspect_file_survives_random_and_mutated_files(tmp_path: Path, suffix: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=256), mutated()))
    def check(data: bytes) -> None:
        path = g.write(tmp_path / f"f{suffix}", data)
        info = inspect_file(path, path.name, tmp_path)
        assert info.size_bytes == len(data)

    check()


@FAST
@given(
    st.binary(max_size=200), st.sampled_from([b"PK\x03\x04", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b"])
)
def test_archive_like_garbage(data: bytes, magic: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for suffix in (".pt", ".joblib", ".npz"):
            path = g.write(root / f"x{suffix}", magic + data)
            inspect_file(path, path.name, root)
