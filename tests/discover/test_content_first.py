"""Content first: model files are found and judged by what they hold, whatever they are called."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from modeldeps.cli.inspect_cmd import run_inspect
from modeldeps.discover.inspectors.parallel import OVER_BUDGET, InspectJob, inspect_jobs
from modeldeps.discover.walk import FileKind, WalkedFile, classify, walk
from modeldeps.model import ScanResult, Severity
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.workers import usable_cpus, worker_count
from tests.discover.inspectors import pickle_gen as g

PAYLOAD = g.call("os", "system")
#: What the loaders accept, under names a scanner keyed on extensions never opens.
HIDDEN: dict[str, Callable[[], bytes]] = {
    "model.dat": lambda: PAYLOAD,
    "classifier.model": lambda: g.proto(4) + PAYLOAD[2:],
    "clf.sav": lambda: PAYLOAD,
    "params.msgpack": lambda: PAYLOAD,
    "weights.pkl.z": lambda: zlib.compress(PAYLOAD),
    "weights.pkl.gz": lambda: gzip.compress(PAYLOAD),
    "checkpoint.pth.tar": lambda: g.torch_tar(PAYLOAD),
    "checkpoint.pt.zip": lambda: g.torch_zip(PAYLOAD),
    "model": lambda: g.torch_zip(PAYLOAD),
    "estimator": lambda: zlib.compress(g.joblib_array_then(g.APPENDS + g.STOP)[:-1] + PAYLOAD),
    "notes.txt": lambda: PAYLOAD,
    "README.md": lambda: g.torch_zip(PAYLOAD),
    "weights.json": lambda: PAYLOAD,
    "helper.py": lambda: PAYLOAD,
    "legacy_checkpoint.bin.1": lambda: g.legacy_torch(PAYLOAD),
}


def worst(result: ScanResult, rel: str) -> int:
    return max((f.severity.rank for f in result.findings if f.location.path == rel), default=-1)


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_inspect_names_a_file_and_its_content_decides(tmp_path: Path, name: str) -> None:
    path = g.write(tmp_path / name, HIDDEN[name]())
    infos, _roots, skipped, _dirs = run_inspect([path], quiet=True)
    assert not skipped and len(infos) == 1
    assert max(f.severity.rank for f in infos[0].findings) >= Severity.HIGH.rank, infos[0]


def test_scan_finds_every_hidden_model_in_a_tree(tmp_path: Path) -> None:
    for name, make in HIDDEN.items():
        g.write(tmp_path / "repo" / name, make())
    g.write(tmp_path / "repo" / "app.py", b"import os\nprint('hello')\n")
    result = scan([tmp_path / "repo"], ScanOptions(use_cache=False))
    missed = [n for n in HIDDEN if worst(result, n) < Severity.HIGH.rank]
    assert missed == [], [(a.location.path, a.format) for a in result.artifacts]
    assert not g.MARKER.exists()


def test_scan_of_a_single_file_named_like_text(tmp_path: Path) -> None:
    path = g.write(tmp_path / "settings.json", PAYLOAD)
    result = scan([path], ScanOptions(use_cache=False))
    assert worst(result, "settings.json") == Severity.CRITICAL.rank


def test_legacy_tar_checkpoint_is_read_not_unrecognized(tmp_path: Path) -> None:
    path = g.write(tmp_path / "old.pth", g.torch_tar(g.torch_state_dict()))
    infos, *_ = run_inspect([path], quiet=True)
    assert infos[0].format == "pytorch-tar"
    assert max(f.severity.rank for f in infos[0].findings) <= Severity.LOW.rank
    bad = g.write(tmp_path / "bad.tar", g.torch_tar(g.torch_state_dict(), sys_info=PAYLOAD))
    infos, *_ = run_inspect([bad], quiet=True)
    assert max(f.severity.rank for f in infos[0].findings) == Severity.CRITICAL.rank


def test_ordinary_files_stay_what_they_are(tmp_path: Path) -> None:
    g.write(tmp_path / "LICENSE", b"Copyright (c) 2024 The Authors. All rights reserved.\n")
    g.write(tmp_path / "data.csv", b"a,b\n1,2\n")
    g.write(tmp_path / "logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    g.write(tmp_path / "notes.md", b"# Notes\n")
    g.write(tmp_path / "archive.zip", _plain_zip())
    kinds = {i.rel: i.kind for i in walk(tmp_path, ScanOptions()) if isinstance(i, WalkedFile)}
    assert kinds == {
        "LICENSE": FileKind.TEXT,
        "data.csv": FileKind.TEXT,
        "notes.md": FileKind.TEXT,
    }


def _plain_zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("photos/a.jpg", b"\xff\xd8\xff")
    return buf.getvalue()


def test_names_detectors_read_are_never_sniffed(tmp_path: Path) -> None:
    # The speed of a source-tree scan: a .py file is classified by name, without a read.
    assert classify("module.py", str(tmp_path / "absent.py")) is FileKind.TEXT
    assert classify("tokenizer_config.json") is FileKind.TEMPLATE


def test_scan_checks_chat_templates_too(tmp_path: Path) -> None:
    bad = '{"chat_template": "{{ cycler.__init__.__globals__.os.popen(\'id\').read() }}"}'
    g.write(tmp_path / "model" / "tokenizer_config.json", bad.encode())
    g.write(tmp_path / "model" / "chat_template.jinja", b"{{ ''.__class__.__mro__ }}")
    result = scan([tmp_path / "model"], ScanOptions(use_cache=False))
    rels = {f.location.path for f in result.findings if f.rule_id == "MD207"}
    assert rels == {"tokenizer_config.json", "chat_template.jinja"}


def test_jobs_are_capped_at_the_usable_cpus() -> None:
    assert worker_count(100_000, 1_000) == usable_cpus()
    assert worker_count(0, 1_000) == usable_cpus()
    assert worker_count(100_000, 1) == 1
    assert worker_count(-5, 10) == min(10, usable_cpus())


def test_inspect_with_a_huge_jobs_value_does_not_fork_a_process_per_job(tmp_path: Path) -> None:
    # Enough raw-pickle bytes that the pool is used; with no cap this would fork 100,000.
    paths = [g.write(tmp_path / f"m{i}.pkl", g.proto(2) + g.binbytes(b"\0" * 200) * 1000 + g.STOP)
             for i in range(6)]  # fmt: skip
    start = time.perf_counter()
    infos, skipped = inspect_jobs([InspectJob(p, p.name, tmp_path) for p in paths], workers=100_000)
    assert len(infos) == 6 and not skipped
    assert time.perf_counter() - start < 60


def test_a_spent_scan_budget_leaves_clear_skipped_entries(tmp_path: Path) -> None:
    for i in range(3):
        g.write(tmp_path / f"m{i}.pkl", g.benign_dict())
    result = scan([tmp_path], ScanOptions(use_cache=False, inspect_budget_s=0.0))
    assert {s.location.path for s in result.skipped if s.reason == OVER_BUDGET} == {
        "m0.pkl",
        "m1.pkl",
        "m2.pkl",
    }


def test_every_name_classified_as_text_is_read_by_some_detector() -> None:
    # A suffix no detector reads would be a file nobody looks at: neither parsed (where a
    # binary one is caught) nor sniffed. The walk's set must stay within the detectors'.
    from modeldeps.discover.detectors import all_detectors
    from modeldeps.discover.walk import TEXT_NAMES, TEXT_SUFFIXES

    detectors = all_detectors()
    for suffix in TEXT_SUFFIXES:
        assert any(d.accepts(f"x{suffix}") for d in detectors), suffix
    for name in TEXT_NAMES:
        assert any(d.accepts(name) for d in detectors), name


def test_the_walks_first_bytes_check_never_calls_a_model_format_plain_text() -> None:
    # The walk's quick check keeps the content sniffer unloaded for ordinary text; it must
    # hand every magic the sniffer knows on to it (a copy that drifted would hide a format).
    from modeldeps.discover.inspectors import content
    from modeldeps.discover.inspectors.streams import COMPRESSION_MAGIC
    from modeldeps.discover.walk import _plain_text

    magics = [m for m, _ in COMPRESSION_MAGIC] + [
        content.ZIP_MAGIC, content.EMPTY_ZIP_MAGIC, content.SEVEN_ZIP_MAGIC,
        content.HDF5_MAGIC, content.NPY_MAGIC, content.GGUF_MAGIC, content.LEGACY_TORCH_HEAD,
        g.proto(2), b"\x08\x07\x12\x07pytorch",
    ]  # fmt: skip
    for magic in magics:
        assert not _plain_text(magic + b"\x01\x02\x03"), magic
    assert not _plain_text(b"a" * 257 + b"ustar\x0000")
    for pickle in (g.call("os", "system", protocol=0), b"(0" + g.call("os", "system"), b"I1\n0."):
        assert not _plain_text(pickle), pickle
    assert _plain_text(b"Copyright (c) 2024 The Authors.\n")
    assert _plain_text(b"# Notes\n\nSome text.\n")


def test_containers_are_read_by_their_members_not_their_names(tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    # A torch zip named .npz or .keras goes to the torch reader, not the npz/Keras one.
    for name in ("weights.npz", "model.keras"):
        path = g.write(tmp_path / name, g.torch_zip(PAYLOAD))
        infos, *_ = run_inspect([path], quiet=True)
        assert max(f.severity.rank for f in infos[0].findings) == Severity.CRITICAL.rank, name
    # A zip both loaders open: the torch reader checks the Keras config too.
    lam = {"class_name": "Lambda", "config": {"name": "evil", "function": "x"}}
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [lam]}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", g.torch_state_dict())
        zf.writestr("archive/data/0", b"\0" * 24)
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.8.0"}))
    path = g.write(tmp_path / "polyglot.bin", buf.getvalue())
    infos, *_ = run_inspect([path], quiet=True)
    assert any(f.rule_id == "MD206" for f in infos[0].findings)
    # A legacy tar checkpoint whose members come in another order.
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in (("notes", b"x"), ("pickle", PAYLOAD), ("sys_info", g.benign_dict())):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = g.write(tmp_path / "reordered.pth", out.getvalue())
    infos, *_ = run_inspect([path], quiet=True)
    assert infos[0].format == "pytorch-tar"
    assert max(f.severity.rank for f in infos[0].findings) == Severity.CRITICAL.rank


def test_every_pool_sizes_itself_through_the_worker_cap() -> None:
    # --jobs of scan, inspect, scan-many and lock: no pool is built from a raw user number.
    import modeldeps

    src = Path(modeldeps.__file__).resolve().parent
    pools = ("ProcessPoolExecutor(", "ThreadPoolExecutor(", "_Slot(ctx")
    unguarded = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if any(x in p.read_text("utf-8") for x in pools)
        and "worker_count" not in p.read_text("utf-8")
    ]
    assert unguarded == []


def test_cpus_are_counted_in_one_place() -> None:
    # workers.usable_cpus honours the affinity mask (a container's or taskset's CPUs), which
    # os.cpu_count does not: every count of CPUs, benchmarks included, goes through it.
    import re

    import modeldeps

    src = Path(modeldeps.__file__).resolve().parent
    files = [*src.rglob("*.py"), *(src.parents[1] / "benchmarks").rglob("*.py")]
    own = re.compile(r"\b(cpu_count|sched_getaffinity|process_cpu_count)\(")
    counting = [
        p.name for p in files if p.name != "workers.py" and own.search(p.read_text("utf-8"))
    ]
    assert len(files) > 200 and counting == []
    ray = (src / "scanmany" / "ray_executor.py").read_text("utf-8")
    assert 'kwargs["num_cpus"] = worker_count(' in ray  # a local Ray is capped like a pool


def test_a_scan_cut_by_the_time_budget_is_not_stored_for_the_next(tmp_path: Path) -> None:
    import sqlite3

    g.write(tmp_path / "repo" / "m.pkl", g.benign_dict())
    opts = ScanOptions(cache_dir=tmp_path / "cache", inspect_budget_s=0.0)
    first = scan([tmp_path / "repo"], opts)
    assert any(s.reason == OVER_BUDGET for s in first.skipped)

    def stored() -> int:
        with sqlite3.connect(tmp_path / "cache" / "scan-cache.sqlite3") as db:
            count: int = db.execute("SELECT COUNT(*) FROM scans").fetchone()[0]
        return count

    assert stored() == 0  # how busy the machine was is no input a key can know
    again = scan([tmp_path / "repo"], replace(opts, inspect_budget_s=300.0))
    assert again.artifacts and not again.skipped and stored() == 1


def test_a_zip_whose_directory_the_stdlib_refuses_is_still_read(tmp_path: Path) -> None:
    # A central directory claiming a newer zip version makes ``zipfile`` raise
    # NotImplementedError; loaders that read local headers still open the file.
    blob = bytearray(g.torch_zip(PAYLOAD))
    pos = blob.find(b"PK\x01\x02")
    while pos >= 0:
        blob[pos + 6] = 99  # "version needed to extract": 9.9
        pos = blob.find(b"PK\x01\x02", pos + 4)
    for name in ("model.keras", "weights.npz", "model.bin", "data"):
        path = g.write(tmp_path / name, bytes(blob))
        infos, *_ = run_inspect([path], quiet=True)
        assert max(f.severity.rank for f in infos[0].findings) == Severity.CRITICAL.rank, name
    result = scan([tmp_path], ScanOptions(use_cache=False))
    for name in ("model.keras", "weights.npz", "model.bin", "data"):
        assert worst(result, name) == Severity.CRITICAL.rank, name


def test_a_file_the_format_check_trips_on_is_inspected_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever odd bytes make the walk's format check fail, the file goes on to the
    # inspectors (which report what they find or that they could not read it).
    from modeldeps.discover.inspectors import content

    def trips(*_args: object) -> str | None:
        raise RuntimeError("odd bytes")

    monkeypatch.setattr(content, "model_format", trips)
    g.write(tmp_path / "repo" / "model.dat", PAYLOAD)
    result = scan([tmp_path / "repo"], ScanOptions(use_cache=False, jobs=1))
    assert worst(result, "model.dat") >= Severity.HIGH.rank
