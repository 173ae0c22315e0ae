"""Vendored static files are exactly what their registry packages ship, licence included."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources


def test_vendored_files_match_their_record() -> None:
    folder = resources.files("modeldeps.web") / "static" / "vendor"
    record = tomllib.loads((folder / "VENDOR.toml").read_text(encoding="utf-8"))
    assert record, "VENDOR.toml lists nothing"
    for name, entry in record.items():
        body = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], name
        assert f"v{entry['version']}" in body[:200].decode("utf-8", "replace"), name
        licence = (folder / entry["license_file"]).read_text(encoding="utf-8")
        assert f"The {entry['license']} License" in licence, name
        assert entry["registry"] in {"npm", "pypi"} and entry["tarball_integrity"], name


def test_every_vendored_file_is_recorded() -> None:
    folder = resources.files("modeldeps.web") / "static" / "vendor"
    record = tomllib.loads((folder / "VENDOR.toml").read_text(encoding="utf-8"))
    listed = {e["file"] for e in record.values()} | {e["license_file"] for e in record.values()}
    present = {p.name for p in folder.iterdir()} - {"VENDOR.toml"}
    assert present == listed
