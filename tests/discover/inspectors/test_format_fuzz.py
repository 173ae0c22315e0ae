"""Property-based fuzzing of the non-pickle parsers: random and mutated bytes never escape."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeldeps.discover.inspectors.templates import check_template
from tests.discover.inspectors.builders import (
    dense,
    h5_sample,
    inspect,
    keras_config,
    onnx_bytes,
    safetensors_bytes,
    savedmodel_bytes,
    write_gguf,
    write_keras,
)

_DIR = Path(tempfile.mkdtemp(prefix="fuzz-seeds-"))
SEEDS = {
    "m.safetensors": safetensors_bytes({"a": ("F32", [3, 3])}, {"k": "v"}),
    "m.gguf": write_gguf(_DIR / "s.gguf", template="{{ x }}", tokens=["a", "b"]).read_bytes(),
    "m.onnx": onnx_bytes(external="w.bin"),
    "saved_model.pb": savedmodel_bytes(["Const", "PyFunc"]),
    "m.keras": write_keras(_DIR / "s.keras", keras_config(dense())).read_bytes(),
    "m.h5": h5_sample("keras2_lambda.h5"),
    "v.h5": h5_sample("vlen_dense.h5"),
    "l.h5": h5_sample("latest_lambda.h5"),
    "d.h5": h5_sample("dense_attrs.h5"),
}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return name, bytes(data)


def _check(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        start = time.perf_counter()
        info = inspect(p)
        assert time.perf_counter() - start < 2.0
        assert info.size_bytes == len(data)


@FUZZ
@given(mutated())
def test_mutated_files_never_raise(case: tuple[str, bytes]) -> None:
    _check(*case)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=512))
def test_random_bytes_never_raise(name: str, data: bytes) -> None:
    magic = SEEDS[name][:4] if name.endswith((".gguf", ".keras")) else b""
    _check(name, magic + data)


@FUZZ
@given(st.text(max_size=300))
def test_random_templates_never_raise(source: str) -> None:
    for f in check_template(source, "t.jinja"):
        assert f.rule_id in {"MD207", "MD210"}
