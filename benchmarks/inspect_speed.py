"""Inspection speed: bytes read and wall time of ``inspect`` against ``cat FILE > /dev/null``.

Makes multi-GB safetensors, GGUF and PyTorch-zip files in a temporary folder (sparse where the
format allows; about 2.1 GB of real disk at most), then measures, in one run:

* bytes read by the inspector (its own count and the process's read-syscall count) vs file size;
* in-process inspection time of a 2 GB file vs a 20 MB file of the same format;
* a folder of many files inspected on one process vs every core;
* per-core SHA-256 throughput of ``--hash`` vs ``hashlib`` over an in-memory buffer.

Usage: python benchmarks/inspect_speed.py [--size-gb 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.parallel import inspect_jobs, jobs_for_tree

MB = 1024 * 1024


def rchar() -> int:
    """Bytes this process has read through read syscalls (Linux /proc/self/io)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def make_safetensors(path: Path, total: int) -> None:
    n_tensors = 400
    each = (total // n_tensors) // 2 * 2
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    for i in range(n_tensors):
        shape = [each // 2]
        header[f"layers.{i}.weight"] = {
            "dtype": "BF16",
            "shape": shape,
            "data_offsets": [i * each, (i + 1) * each],
        }
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw)
        fh.truncate(8 + len(raw) + n_tensors * each)  # sparse: tensor bytes are holes


def make_gguf(path: Path, total: int) -> None:
    import numpy as np
    from gguf import GGUFWriter

    w = GGUFWriter(str(path), "llama")
    w.add_name("bench")
    w.add_file_type(1)
    w.add_token_list([f"tok{i}" for i in range(32000)])
    w.add_token_types([1] * 32000)
    w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    n_tensors = 300
    each = (total // n_tensors) // 2
    for i in range(n_tensors):
        w.add_tensor_info(f"blk.{i}.w", (each,), np.dtype(np.float16), each * 2)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    with path.open("r+b") as fh:
        fh.truncate(fh.seek(0, 2) + n_tensors * each * 2 + 64)


def make_torch_zip(path: Path, total: int) -> None:
    # A state dict pickle (protocol 2, persistent ids to storages) and one big stored member.
    pkl = (
        b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00wq\x02"
        b"ctorch._utils\n_rebuild_tensor_v2\nq\x03((X\x07\x00\x00\x00storageq\x04"
        b"ctorch\nHalfStorage\nq\x05X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07"
        + b"J" + struct.pack("<i", total // 2)
        + b"tq\x08QK\x00J" + struct.pack("<i", total // 2)
        + b"\x85q\tK\x01\x85q\n\x89ccollections\nOrderedDict\nq\x0b)Rq\x0ctq\rRq\x0es."
    )  # fmt: skip
    chunk = b"\0" * (16 * MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("archive/data.pkl", pkl)
        zf.writestr("archive/version", b"3\n")
        with zf.open("archive/data/0", "w", force_zip64=True) as member:
            left = total
            while left > 0:
                member.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_file(path: Path) -> dict[str, Any]:
    size = path.stat().st_size
    before = rchar()
    info = inspect_file(path, path.name, path.parent)
    syscall_bytes = rchar() - before
    wall = timed(lambda: inspect_file(path, path.name, path.parent))
    t = time.perf_counter()
    subprocess.run(f"cat '{path}' > /dev/null", shell=True, check=True)
    cat = time.perf_counter() - t
    return {
        "file": path.name,
        "format": info.format,
        "size": size,
        "bytes_read": info.bytes_read,
        "syscall_bytes": syscall_bytes,
        "read_pct": 100 * max(syscall_bytes, info.bytes_read or 0) / size,
        "inspect_s": wall,
        "cat_s": cat,
    }


def bench_cores(folder: Path, n_files: int) -> dict[str, float]:
    folder.mkdir()
    for i in range(n_files):
        make_safetensors(folder / f"m{i}.safetensors", 4 * MB)
    jobs, _ = jobs_for_tree(folder)
    one = timed(lambda: inspect_jobs(jobs, workers=1), repeat=3)
    both = timed(lambda: inspect_jobs(jobs, workers=2), repeat=3)
    return {"files": n_files, "one_core_s": one, "two_cores_s": both, "speedup": one / both}


def bench_hash(folder: Path, n_files: int, each: int) -> dict[str, float]:
    folder.mkdir()
    # Real (non-sparse) safetensors files, so hashing reads every byte from the page cache
    # while the inspector itself reads only the header.
    block = os.urandom(MB)
    for i in range(n_files):
        path = folder / f"w{i}.safetensors"
        make_safetensors(path, each)
        with path.open("r+b") as fh:
            (n,) = struct.unpack("<Q", fh.read(8))
            fh.seek(8 + n)
            for _ in range(each // MB):
                fh.write(block)
    for f in folder.iterdir():  # warm the page cache so both sides hash from memory
        subprocess.run(f"cat '{f}' > /dev/null", shell=True, check=True)
    buf = block * 256
    base_s = timed(lambda: hashlib.sha256(buf).digest(), repeat=3)
    base_mbs = len(buf) / MB / base_s
    jobs, _ = jobs_for_tree(folder)
    total = sum(j.path.stat().st_size for j in jobs)
    ours_s = timed(lambda: inspect_jobs(jobs, hash_files=True, workers=2), repeat=3)
    per_core = total / MB / ours_s / min(2, os.cpu_count() or 1)
    return {"hashlib_mb_s": base_mbs, "ours_per_core_mb_s": per_core, "ratio": per_core / base_mbs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-gb", type=float, default=2.0, help="size of the large files")
    ap.add_argument("--keep", type=Path, help="build files here and keep them")
    args = ap.parse_args(argv)
    big = int(args.size_gb * 1024 * MB)
    work = args.keep or Path(tempfile.mkdtemp(prefix="inspect-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = []
        ratios = []
        for ext, maker in (
            ("safetensors", make_safetensors),
            ("gguf", make_gguf),
            ("pt", make_torch_zip),
        ):
            small_p, big_p = work / f"small.{ext}", work / f"big.{ext}"
            maker(small_p, 20 * MB)
            maker(big_p, big)
            small, large = bench_file(small_p), bench_file(big_p)
            rows += [small, large]
            ratios.append((ext, float(large["inspect_s"]) / float(small["inspect_s"])))
            if ext == "pt":
                big_p.unlink()  # the only file that is not sparse
        print(f"{'file':18} {'format':13} {'size':>11} {'read':>10} {'read%':>8} "
              f"{'inspect':>9} {'cat':>8}")  # fmt: skip
        for r in rows:
            print(
                f"{r['file']:18} {r['format']:13} {r['size']:>11} {r['syscall_bytes']:>10} "
                f"{r['read_pct']:>7.3f}% {float(r['inspect_s']) * 1000:>7.2f}ms "
                f"{float(r['cat_s']) * 1000:>6.0f}ms"
            )
        for ext, ratio in ratios:
            print(f"time {args.size_gb:g} GB / 20 MB ({ext}): {ratio:.2f}x")
        cores = bench_cores(work / "many", 400)
        print(
            f"folder of {cores['files']} files: 1 core {cores['one_core_s']:.2f}s, "
            f"2 cores {cores['two_cores_s']:.2f}s, speedup {cores['speedup']:.2f}x"
        )
        h = bench_hash(work / "hash", 8, 128 * MB)
        print(
            f"sha256: hashlib {h['hashlib_mb_s']:.0f} MB/s single core; --hash "
            f"{h['ours_per_core_mb_s']:.0f} MB/s per core ({100 * h['ratio']:.0f}%)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
