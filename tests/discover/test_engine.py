"""The detection engine: prefilter, size cap, encodings, failures as data, parallel = serial."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from modeldeps.discover import engine, prefilter
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.model import Dependency, ModelReference, Stage
from tests.conftest import FakeDetector


class ExplodingDetector(Detector):
    name: ClassVar[str] = "exploding"
    suffixes: ClassVar[frozenset[str]] = frozenset({".fake"})

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        raise ValueError("parser bug")


class SlowDetector(Detector):
    name: ClassVar[str] = "slow"
    suffixes: ClassVar[frozenset[str]] = frozenset({".fake"})

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        while True:  # a parser that never finishes on this input
            pass


def test_prefilter_skips_files_without_keywords(tmp_path: Path) -> None:
    det = FakeDetector()
    assert prefilter.select([det], b"nothing here") == []
    assert prefilter.select([det], b"x\nmodel=abc") == [det]  # case-insensitive
    (tmp_path / "a.fake").write_text("no models\n")
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [det], 1000)
    assert out.parsed is False and out.references == ()


def test_detects_and_reports_lines(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_text("x\nMODEL=org/one\n\nMODEL=org/two\n")
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [FakeDetector()], 1000)
    assert [(r.value, r.location.line) for r in out.references] == [("org/one", 2), ("org/two", 4)]


def test_files_no_detector_accepts_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("MODEL=org/one\n")
    out = engine.analyse_file(tmp_path / "a.txt", "a.txt", [FakeDetector()], 1000)
    assert out.bytes_read == 0 and out.references == ()


def test_oversized_file_is_skipped_with_reason(tmp_path: Path) -> None:
    (tmp_path / "big.fake").write_text("MODEL=org/x\n" * 100)
    out = engine.analyse_file(tmp_path / "big.fake", "big.fake", [FakeDetector()], 50)
    assert out.references == ()
    assert out.skipped[0].stage is Stage.DETECT and "cap" in out.skipped[0].reason


def test_bad_encoding_is_tolerated(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_bytes(b"\xfa\xff\xfe junk\nMODEL=org/ok\n\x80\x81\n")
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [FakeDetector()], 1000)
    assert [r.value for r in out.references] == ["org/ok"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_bytes("MODEL=org/wide\n".encode("utf-16"))
    # The prefilter sees bytes; UTF-16 text hides ASCII keywords, so it is not found — and the
    # engine must not crash on it either way.
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [FakeDetector()], 1000)
    assert out.skipped == ()


def test_binary_content_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_bytes(b"MODEL=org/x\n\x00\x01\x02")
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [FakeDetector()], 1000)
    assert out.references == () and out.parsed is False


def test_detector_exception_becomes_skipped_and_others_still_run(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_text("MODEL=org/one\n")
    out = engine.analyse_file(
        tmp_path / "a.fake", "a.fake", [ExplodingDetector(), FakeDetector()], 1000
    )
    assert [r.value for r in out.references] == ["org/one"]
    assert out.skipped[0].reason.startswith("exploding: ValueError: parser bug")


def test_time_limit_turns_a_hang_into_skipped(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr(engine, "FILE_TIME_LIMIT_S", 0.2)
    try:
        (tmp_path / "a.fake").write_text("MODEL=org/one\n")
        out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [SlowDetector()], 1000)
    finally:
        mp.undo()
    assert "gave up" in out.skipped[0].reason


def test_parallel_matches_serial(tmp_path: Path) -> None:
    files = []
    for i in range(120):
        p = tmp_path / f"f{i:03}.fake"
        p.write_text(f"MODEL=org/m{i}\n" if i % 3 else "plain\n")
        files.append((p, p.name))
    serial = engine.analyse_many(files, max_bytes=10_000, detectors=[FakeDetector()])
    # The pool builds its own registry detectors; with no registered .fake detector the parallel
    # path must still return one outcome per file, in order.
    parallel = engine.analyse_many(files, max_bytes=10_000, jobs=2)
    assert [o.rel for o in parallel] == [o.rel for o in serial]
    assert sum(len(o.references) for o in serial) == 80


def test_payload_round_trip_rebinds_path(tmp_path: Path) -> None:
    (tmp_path / "a.fake").write_text("MODEL=org/one\n")
    out = engine.analyse_file(tmp_path / "a.fake", "a.fake", [FakeDetector()], 1000)
    assert out.digest is not None
    again = engine.FileOutcome.from_payload("b/renamed.fake", out.digest, out.payload())
    assert again.references[0].location.path == "b/renamed.fake"
    assert again.references[0].value == "org/one"
