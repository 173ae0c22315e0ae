"""Inspection speed: bytes read and wall time of ``inspect`` against ``cat FILE > /dev/null``.

Makes multi-GB safetensors, GGUF and PyTorch-zip files in a temporary folder (sparse where the
format allows; about 2.1 GB of real disk at most), then measures, in one run:

* bytes read by the inspector (its own count and the process's read-syscall count) vs file size;
* in-process inspection time of a 2 GB file vs a 20 MB file of the same format;
* folders of tiny and of medium (pickle/torch) files inspected on one worker vs two, and
  whether the pool ran at all (small or fast workloads stay in one process);
* SHA-256 throughput of ``--hash`` on one and two workers vs ``hashlib.file_digest`` on one
  core over the same files (page cache warm), per core.

Usage: python benchmarks/inspect_speed.py [--size-gb 2] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
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
from modeldeps.discover.inspectors.parallel import InspectJob, inspect_jobs, jobs_for_tree, use_pool

MB = 1024 * 1024


def rchar() -> tuple[int, int]:
    """(bytes this process has read through read syscalls, bytes of this very read).

    Linux /proc/self/io; this read shows in the count only from the next call on, so the bytes
    read between two calls are ``second[0] - first[0] - first[1]``.
    """
    try:
        with open("/proc/self/io", "rb", buffering=0) as fh:
            text = fh.read(4096)
    except OSError:
        return -1, 0
    for line in text.splitlines():
        if line.startswith(b"rchar:"):
            return int(line.split()[1]), len(text)
    return -1, 0


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
    inspect_file(path, path.name, path.parent)  # warm: lazy imports and the allowlist file
    before, own = rchar()
    info = inspect_file(path, path.name, path.parent)
    syscall_bytes = rchar()[0] - before - own
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


def medium_pickle(n_items: int) -> bytes:
    """A benign pickle of many small objects (the slowest kind to walk), made with pickle.dumps
    of plain data we build here; nothing is ever unpickled."""
    data = {f"k{i}": [i, float(i), f"s{i}"] for i in range(n_items)}
    return pickle.dumps(data, protocol=4)


def make_workloads(folder: Path) -> dict[str, list[InspectJob]]:
    """Folders whose inspection is timed on one worker and on every core."""
    out: dict[str, list[InspectJob]] = {}
    for name, count in (("10 tiny safetensors", 10), ("400 tiny safetensors", 400)):
        sub = folder / name.replace(" ", "-")
        sub.mkdir()
        for i in range(count):
            make_safetensors(sub / f"m{i}.safetensors", 4 * MB)
        out[name] = jobs_for_tree(sub)[0]
    sub = folder / "medium-pickles"
    sub.mkdir()
    blob = medium_pickle(40_000)
    for i in range(6):
        (sub / f"p{i}.pkl").write_bytes(blob)
        with zipfile.ZipFile(sub / f"c{i}.pt", "w") as zf:  # the same pickle as data.pkl
            zf.writestr("archive/data.pkl", blob)
            zf.writestr("archive/version", b"3\n")
    out[f"12 medium pickle/torch files ({len(blob) // MB} MB pickles)"] = jobs_for_tree(sub)[0]
    return out


def bench_cores(jobs: list[InspectJob], repeat: int) -> dict[str, float | bool]:
    sizes = [j.path.stat().st_size for j in jobs]
    suffixes = [j.path.suffix.lower() for j in jobs]
    one = timed(lambda: inspect_jobs(jobs, workers=1), repeat=repeat)
    both = timed(lambda: inspect_jobs(jobs, workers=2), repeat=repeat)
    return {
        "pool": use_pool(sizes, suffixes, False, 2),
        "one_s": one,
        "two_s": both,
        "speedup": one / both,
    }


def bench_hash(folder: Path, n_files: int, each: int, repeat: int) -> dict[str, float]:
    """``--hash`` against ``hashlib.file_digest`` over the same files, all in the page cache."""
    folder.mkdir()
    block = os.urandom(MB)
    for i in range(n_files):
        path = folder / f"w{i}.safetensors"
        make_safetensors(path, each)
        with path.open("r+b") as fh:  # real bytes, so both sides hash the same data
            (n,) = struct.unpack("<Q", fh.read(8))
            fh.seek(8 + n)
            for _ in range(each // MB):
                fh.write(block)
    jobs, _ = jobs_for_tree(folder)
    total = sum(j.path.stat().st_size for j in jobs)
    os.sync()
    for j in jobs:  # warm the page cache so every side hashes from memory
        subprocess.run(["cat", str(j.path)], stdout=subprocess.DEVNULL, check=True)

    def baseline() -> None:
        for j in jobs:
            with j.path.open("rb", buffering=0) as fh:
                hashlib.file_digest(fh, "sha256")

    base_s = timed(baseline, repeat=repeat)
    one_s = timed(lambda: inspect_jobs(jobs, hash_files=True, workers=1), repeat=repeat)
    two_s = timed(lambda: inspect_jobs(jobs, hash_files=True, workers=2), repeat=repeat)
    base = total / MB / base_s
    return {
        "total_mb": total / MB,
        "hashlib_mb_s": base,
        "one_mb_s": total / MB / one_s,
        "two_per_core_mb_s": total / MB / two_s / 2,
        "speedup": one_s / two_s,
    }


def make_random(path: Path, total: int) -> None:
    """Random bytes named like a checkpoint: must be called unrecognized after a small head."""
    with path.open("wb") as fh:
        for _ in range(total // (16 * MB)):
            fh.write(os.urandom(16 * MB))


def print_row(r: dict[str, Any]) -> None:
    """read: the process's read-syscall bytes; reported: the artifact's own bytes_read."""
    print(
        f"{r['file']:18} {r['format']:13} {r['size']:>11} {r['syscall_bytes']:>10} "
        f"{r['bytes_read']:>10} {r['read_pct']:>7.3f}% {float(r['inspect_s']) * 1000:>7.2f}ms "
        f"{float(r['cat_s']) * 1000:>6.0f}ms"
    )


def large_files(work: Path, big: int, size_gb: float) -> None:
    """Bytes read and time for 20 MB and multi-GB files of each format, and a random .bin."""
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
            os.sync()
    print(f"{'file':18} {'format':13} {'size':>11} {'read':>10} {'reported':>10} {'read%':>8} "
          f"{'inspect':>9} {'cat':>8}")  # fmt: skip
    for r in rows:
        print_row(r)
    for ext, ratio in ratios:
        print(f"time {size_gb:g} GB / 20 MB ({ext}): {ratio:.2f}x")
    rnd = work / "random.bin"
    make_random(rnd, 256 * MB)
    print_row(bench_file(rnd))
    rnd.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-gb", type=float, default=2.0, help="size of the large files")
    ap.add_argument("--keep", type=Path, help="build files here and keep them")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    ap.add_argument("--hash-files", type=int, default=8, help="files hashed in the hash test")
    ap.add_argument("--hash-mb", type=int, default=256, help="size of each hashed file, MB")
    ap.add_argument("--skip-large", action="store_true", help="skip the multi-GB file figures")
    args = ap.parse_args(argv)
    big = int(args.size_gb * 1024 * MB)
    work = args.keep or Path(tempfile.mkdtemp(prefix="inspect-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_large:
            large_files(work, big, args.size_gb)
        many = work / "many"
        many.mkdir()
        workloads = make_workloads(many)
        os.sync()  # flush the files just written, so write-back does not compete for the cores
        print(f"load average before the parallel runs: {os.getloadavg()[0]:.2f}")
        for name, jobs in workloads.items():
            c = bench_cores(jobs, args.repeat)
            print(
                f"folder of {name}: 1 worker {c['one_s']:.3f}s, 2 workers {c['two_s']:.3f}s, "
                f"speed-up {c['speedup']:.2f}x ({'pool' if c['pool'] else 'pool skipped'})"
            )
        h = bench_hash(work / "hash", args.hash_files, args.hash_mb * MB, args.repeat)
        print(
            f"sha256 of {h['total_mb']:.0f} MB: hashlib.file_digest {h['hashlib_mb_s']:.0f} MB/s "
            f"(one core); --hash 1 worker {h['one_mb_s']:.0f} MB/s "
            f"({100 * h['one_mb_s'] / h['hashlib_mb_s']:.0f}%); 2 workers "
            f"{h['two_per_core_mb_s']:.0f} MB/s per core "
            f"({100 * h['two_per_core_mb_s'] / h['hashlib_mb_s']:.0f}%), "
            f"speed-up {h['speedup']:.2f}x"
        )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
