"""PyTorch checkpoints: zip members, CRC and directory tricks, TorchScript, legacy, 7z fakes."""

from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from pathlib import Path

from modeldeps.discover.inspectors import inspect_file
from modeldeps.model import ArtifactInfo, Severity
from tests.discover.inspectors import pickle_gen as g

PAYLOAD = g.call("posix", "system")


def run(tmp_path: Path, name: str, data: bytes) -> ArtifactInfo:
    path = g.write(tmp_path / name, data)
    return inspect_file(path, name, tmp_path)


def rules(info: ArtifactInfo) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for f in info.findings:
        if f.rule_id not in out or out[f.rule_id].rank < f.severity.rank:
            out[f.rule_id] = f.severity
    return out


def test_state_dict_zip_is_clean_with_tensor_counts(tmp_path: Path) -> None:
    info = run(tmp_path, "model.pt", g.torch_zip(g.torch_state_dict(numel=6)))
    assert info.format == "pytorch-zip"
    assert (info.tensors, info.params, info.dtype) == (1, 6, "FloatStorage")
    assert rules(info) == {"MD203": Severity.LOW}


def test_payload_in_data_pkl(tmp_path: Path) -> None:
    info = run(tmp_path, "pytorch_model.bin", g.torch_zip(PAYLOAD, prefix="pytorch_model"))
    assert rules(info)["MD201"] is Severity.CRITICAL
    assert any(f.subject == "pytorch_model/data.pkl:posix.system" for f in info.findings)


def test_only_pickle_members_are_read(tmp_path: Path) -> None:
    big = b"\x01" * (8 * 1024 * 1024)
    info = run(tmp_path, "big.pt", g.torch_zip(g.torch_state_dict(), storage=big))
    assert info.bytes_read is not None
    assert info.bytes_read < 0.01 * info.size_bytes


def test_bad_crc_does_not_hide_the_payload(tmp_path: Path) -> None:
    data = bytearray(g.torch_zip(PAYLOAD))
    crc = struct.pack("<I", zlib.crc32(PAYLOAD))
    for at in range(len(data) - 4):  # corrupt the CRC in local header and directory
        if data[at : at + 4] == crc:
            data[at : at + 4] = b"\xde\xad\xbe\xef"
    info = run(tmp_path, "crc.pt", bytes(data))
    assert rules(info)["MD201"] is Severity.CRITICAL


def test_broken_central_directory_falls_back_to_local_headers(tmp_path: Path) -> None:
    data = g.torch_zip(PAYLOAD)
    cut = data[: data.rfind(b"PK\x01\x02")] + b"PK\x05\x06" + b"\xff" * 18
    info = run(tmp_path, "cd.pt", cut)
    assert rules(info)["MD201"] is Severity.CRITICAL
    assert "MD210" in rules(info)


def test_deflated_members_and_pickle_under_another_name(tmp_path: Path) -> None:
    data = g.torch_zip(
        g.torch_state_dict(), extra={"notes.txt": PAYLOAD}, compression=zipfile.ZIP_DEFLATED
    )
    assert rules(run(tmp_path, "a.pt", data))["MD201"] is Severity.CRITICAL


def test_path_escape_member(tmp_path: Path) -> None:
    data = g.torch_zip(g.torch_state_dict(), extra={"../../evil.sh": b"echo"})
    assert rules(run(tmp_path, "t.zip", data))["MD208"] is Severity.HIGH


def test_torchscript_code_members(tmp_path: Path) -> None:
    plain = {"archive/code/__torch__/m.py": b"def forward(self, x):\n  return torch.relu(x)\n"}
    info = run(tmp_path, "ts.pt", g.torch_zip(g.torch_state_dict(), extra=plain))
    assert info.format == "torchscript" and rules(info)["MD209"] is Severity.LOW
    evil = {"archive/code/__torch__/m.py": b"def forward(self):\n  torch.ops.evil.run()\n"}
    info = run(tmp_path, "ts2.pt", g.torch_zip(g.torch_state_dict(), extra=evil))
    assert rules(info)["MD209"] is Severity.HIGH


def test_legacy_format(tmp_path: Path) -> None:
    info = run(tmp_path, "old.pt", g.legacy_torch(g.torch_state_dict(numel=4)))
    assert info.format == "pytorch-legacy" and info.params == 4
    assert rules(info) == {"MD203": Severity.LOW}
    evil = g.legacy_torch(PAYLOAD)
    assert rules(run(tmp_path, "old2.pt", evil))["MD201"] is Severity.CRITICAL


def _sevenzip(content: bytes) -> bytes:
    """A 7z file whose first packed stream is LZMA2 ``content`` (header left minimal)."""
    packed = lzma.compress(
        content, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 20}]
    )
    start = b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 4 + struct.pack("<QQI", len(packed), 0, 0)
    return start + packed


def test_7z_posing_as_checkpoint(tmp_path: Path) -> None:
    info = run(tmp_path, "model.pt", _sevenzip(b"archive/data.pkl" + PAYLOAD))
    found = rules(info)
    assert info.format == "7z"
    assert found["MD209"] is Severity.HIGH and found["MD201"] is Severity.CRITICAL


def test_png_named_pt_is_not_flagged_above_low(tmp_path: Path) -> None:
    info = run(tmp_path, "x.pt", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    assert all(f.severity.rank <= Severity.LOW.rank for f in info.findings)


def test_encrypted_member_is_reported_not_parsed(tmp_path: Path) -> None:
    data = bytearray(g.torch_zip(g.torch_state_dict(), extra={"secret.txt": b"\x8a\x17" * 20}))
    # Mark every header as encrypted (bit 0 of the flags), as a password-protected zip has.
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            data[at + off] |= 1
            at = data.find(sig, at + 4)
    info = run(tmp_path, "enc.zip", bytes(data))
    assert all(f.severity.rank <= Severity.LOW.rank for f in info.findings)
    assert rules(info).get("MD209") is Severity.INFO
