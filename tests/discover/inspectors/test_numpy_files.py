"""NumPy files: header parse, object arrays as pickles, npz members."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.numpy_files import parse_npy_header
from modeldeps.model import ArtifactInfo, Severity
from tests.discover.inspectors import pickle_gen as g


def run(tmp_path: Path, name: str, data: bytes) -> ArtifactInfo:
    return inspect_file(g.write(tmp_path / name, data), name, tmp_path)


def npz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_float_array_header(tmp_path: Path) -> None:
    info = run(tmp_path, "a.npy", g.npy("<f4", (2, 3), b"\0" * 24))
    assert (info.format, info.tensors, info.params, info.dtype) == ("numpy", 1, 6, "<f4")
    assert info.findings == ()


def test_object_array_pickle_is_analysed(tmp_path: Path) -> None:
    info = run(tmp_path, "o.npy", g.npy("|O", (1,), g.call("os", "system", protocol=3)))
    assert {(f.rule_id, f.severity) for f in info.findings} >= {("MD201", Severity.CRITICAL)}


def test_npz_with_one_bad_member(tmp_path: Path) -> None:
    data = npz(
        {
            "w.npy": g.npy("<f8", (4,), b"\0" * 32),
            "meta.npy": g.npy("|O", (), g.call("subprocess", "Popen", protocol=3)),
        }
    )
    info = run(tmp_path, "m.npz", data)
    assert info.tensors == 2
    assert any(f.subject == "meta.npy:subprocess.Popen" for f in info.findings)


def test_benign_object_npz_stays_low(tmp_path: Path) -> None:
    obj = g.proto(3) + g.EMPTY_LIST + g.MARK + g.text("a", 3) + g.APPENDS + g.STOP
    info = run(tmp_path, "o.npz", npz({"a.npy": g.npy("|O", (1,), obj)}))
    assert all(f.severity.rank <= Severity.LOW.rank for f in info.findings)


@pytest.mark.parametrize(
    "blob",
    [
        b"\x93NUMPY",
        b"\x93NUMPY\x01\x00\xff\xff{",
        b"\x93NUMPY\x09\x00\x10\x00" + b" " * 16,
        g.npy("<f4", (2,))[:10] + b"{'descr': __import__('os')}".ljust(54) + b"\n",
        g.npy("<f4", (-1,)),
    ],
)
def test_malformed_headers_raise_value_error(blob: bytes) -> None:
    with pytest.raises(ValueError):
        parse_npy_header(blob)


def test_malformed_npy_file_is_a_low_finding(tmp_path: Path) -> None:
    info = run(tmp_path, "bad.npy", b"\x93NUMPY\x01\x00\xff\xff{")
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD210", Severity.LOW)]


@pytest.mark.parametrize(
    "descr",
    ["object", "|O", "<O8", "O", "object_", [("a", "<i4"), ("b", "O")], ("O", (2,))],
    ids=["object", "|O", "<O8", "O", "object_", "structured", "subarray"],
)
def test_every_spelling_of_an_object_array_is_unpickled(tmp_path: Path, descr: object) -> None:
    # np.load(allow_pickle=True) unpickles the data of each of these: 'object' was missed.
    header = repr({"descr": descr, "fortran_order": False, "shape": (1,)}).encode()
    header += b" " * (64 - (10 + len(header) + 1) % 64) + b"\n"
    data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    data += g.call("os", "system", protocol=3)
    path = g.write(tmp_path / "a.npy", data)
    info = inspect_file(path, path.name, tmp_path)
    assert max(f.severity.rank for f in info.findings) == Severity.CRITICAL.rank


def test_a_field_named_object_is_not_an_object_array(tmp_path: Path) -> None:
    from modeldeps.discover.inspectors.numpy_files import descr_has_object

    assert not descr_has_object([("object", "<i4"), ("O", "<f8")])
    assert not descr_has_object("<f4")
