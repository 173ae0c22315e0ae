"""Keras inspectors: .keras zips and .h5 model configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.model import Severity
from tests.discover.inspectors.builders import (
    dense,
    h5_sample,
    inspect,
    keras_config,
    write_keras,
)

LAMBDA = {
    "module": "keras.layers",
    "class_name": "Lambda",
    "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {"code": "4w"}}},
}
CUSTOM = {
    "module": "mypkg.layers",
    "class_name": "Fancy",
    "registered_name": "mypkg>Fancy",
    "config": {"name": "fancy"},
}


def test_plain_model_is_clean(tmp_path: Path) -> None:
    info = inspect(write_keras(tmp_path / "m.keras", keras_config(dense())))
    assert info.format == "keras"
    assert info.findings == ()
    assert info.metadata["layers"] == 1
    assert info.metadata["keras_version"] == "3.8.0"


def test_lambda_and_custom_objects(tmp_path: Path) -> None:
    info = inspect(write_keras(tmp_path / "m.keras", keras_config(dense(), LAMBDA, CUSTOM)))
    got = sorted((f.rule_id, f.severity, f.subject) for f in info.findings)
    assert got == [
        ("MD206", Severity.HIGH, "Lambda:evil"),
        ("MD206", Severity.HIGH, "custom:mypkg>Fancy"),
    ]


def test_member_path_traversal(tmp_path: Path) -> None:
    p = write_keras(tmp_path / "m.keras", keras_config(dense()), extra_member="../../evil.py")
    assert [(f.rule_id, f.severity) for f in inspect(p).findings] == [("MD208", Severity.HIGH)]


def test_not_a_zip_is_malformed(tmp_path: Path) -> None:
    p = tmp_path / "m.keras"
    p.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert [f.rule_id for f in inspect(p).findings] == ["MD210"]


def test_keras_bad_crc_still_read(tmp_path: Path) -> None:
    # A corrupted CRC makes zipfile refuse the member; the loader reads it anyway, so must we.
    p = write_keras(tmp_path / "m.keras", keras_config(dense(), LAMBDA))
    data = bytearray(p.read_bytes())
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"config.json"))  # its directory entry
    data[entry + 16] ^= 0xFF  # the CRC zipfile checks
    p.write_bytes(bytes(data))
    info = inspect(p)
    assert ("MD206", Severity.HIGH) in [(f.rule_id, f.severity) for f in info.findings]


def _h5(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name.removesuffix(".gz")
    path.write_bytes(h5_sample(name))
    return path


@pytest.mark.parametrize(
    ("name", "superblock"),
    [
        ("keras2_lambda.h5", 0),
        ("latest_lambda.h5", 3),
        ("userblock_lambda.h5", 0),
    ],
)
def test_h5_lambda_from_the_root_attributes(tmp_path: Path, name: str, superblock: int) -> None:
    info = inspect(_h5(tmp_path, name))
    assert info.format == "keras-h5"
    assert info.metadata["hdf5_superblock"] == superblock
    assert info.metadata["model_config_source"] == "attribute"
    assert [(f.rule_id, f.subject) for f in info.findings] == [("MD206", "Lambda:evil")]


def test_h5_variable_length_strings(tmp_path: Path) -> None:
    info = inspect(_h5(tmp_path, "vlen_dense.h5"))
    assert info.metadata["keras_version"] == "2.15.0"
    assert info.metadata["model_config"] is True and info.metadata["layers"] == 1
    assert info.findings == ()


def test_h5_config_past_the_weights_is_found(tmp_path: Path) -> None:
    # The root header continues after 20 MiB of weights: a head scan would never see it.
    path = _h5(tmp_path, "far_lambda.h5.gz")
    assert path.stat().st_size > 20 * 1024 * 1024
    info = inspect(path)
    assert [(f.rule_id, f.subject) for f in info.findings] == [("MD206", "Lambda:evil")]
    assert info.metadata["keras_version"] == "2.15.0"
    assert info.bytes_read is not None and info.bytes_read < 64 * 1024


def test_h5_dense_attributes_are_read_by_structure(tmp_path: Path) -> None:
    info = inspect(_h5(tmp_path, "dense_attrs.h5"))
    assert info.metadata["model_config_source"] == "attribute"
    assert [f.rule_id for f in info.findings] == ["MD206"]


@pytest.mark.parametrize("name", ["far_dense_lambda.h5.gz", "far_dense_huge_lambda.h5.gz"])
def test_h5_dense_attributes_after_16_mib_are_read(tmp_path: Path, name: str) -> None:
    # Dense storage past byte 20,000,000: a managed heap object, or a huge one (a config
    # over 4 KiB) found through the heap's B-tree. Both were "not parsed" (low) before.
    path = _h5(tmp_path, name)
    info = inspect(path)
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD206", Severity.HIGH)]
    assert info.bytes_read is not None and info.bytes_read < 256 * 1024
    plain = inspect(_h5(tmp_path, "far_dense_huge_plain.h5.gz"))
    assert plain.findings == () and plain.metadata["model_config"] is True


def test_h5_dense_storage_that_cannot_be_followed_is_high(tmp_path: Path) -> None:
    data = bytearray(h5_sample("far_dense_huge_lambda.h5.gz"))
    at = data.find(b"FRHP")
    data[at : at + 4] = b"XXXX"  # the heap header is gone; the config lies past 16 MiB
    path = tmp_path / "broken.h5"
    path.write_bytes(bytes(data))
    info = inspect(path)
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD209", Severity.HIGH)]


def test_h5_without_model_config(tmp_path: Path) -> None:
    data = bytearray(h5_sample("vlen_dense.h5"))
    at = data.find(b"model_config")
    data[at : at + 12] = b"other_config"  # same length: the structure stays valid
    path = tmp_path / "w.h5"
    path.write_bytes(bytes(data))
    info = inspect(path)
    assert info.metadata["model_config"] is False
    assert info.findings == ()


def test_h5_broken_structure_is_reported_not_raised(tmp_path: Path) -> None:
    data = bytearray(h5_sample("keras2_lambda.h5"))
    data[64:72] = (10**12).to_bytes(8, "little")  # root header address far past the end
    path = tmp_path / "b.h5"
    path.write_bytes(bytes(data))
    info = inspect(path)
    assert "outside the file" in info.metadata["hdf5_error"]
    # The bounded scan still finds the Lambda in the config text.
    assert [f.rule_id for f in info.findings] == ["MD206"]
