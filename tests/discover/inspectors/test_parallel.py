"""Directory inspection: when the pool runs, how work is chunked, same results either way."""

from __future__ import annotations

from pathlib import Path

from modeldeps.discover.inspectors.parallel import (
    InspectJob,
    chunks,
    estimated_work,
    inspect_jobs,
    jobs_for_tree,
    use_pool,
)
from tests.discover.inspectors import pickle_gen as g
from tests.discover.inspectors.builders import safetensors_bytes

MB = 1024 * 1024


def test_small_or_fast_workloads_stay_in_process() -> None:
    tiny = [4096] * 10
    assert not use_pool(tiny, [".safetensors"] * 10, False, 2)
    assert not use_pool([100 * MB] * 3, [".safetensors"] * 3, False, 2)  # headers only
    assert not use_pool([MB] * 3, [".safetensors"] * 3, True, 2)  # 3 MB to hash
    assert not use_pool([4096] * 400, [".safetensors"] * 400, False, 1)  # one worker
    assert not use_pool([2 * 1024 * MB], [".bin"], True, 2)  # one file cannot be shared


def test_many_files_or_much_to_hash_or_walk_use_the_pool() -> None:
    assert use_pool([4096] * 400, [".safetensors"] * 400, False, 2)
    assert use_pool([512 * MB] * 2, [".safetensors"] * 2, True, 2)
    assert use_pool([40 * MB] * 2, [".pkl"] * 2, False, 2)  # raw pickles are walked whole
    assert estimated_work([40 * MB], [".pkl"], False) > estimated_work([40 * MB], [".pt"], False)


def test_chunks_cover_every_job_once_with_big_files_alone() -> None:
    costs = [5.0, 0.01, 0.01, 3.0] + [0.002] * 200
    order = sorted(range(len(costs)), key=lambda i: -costs[i])
    parts = chunks(order, costs, 16)
    assert sorted(i for part in parts for i in part) == list(range(len(costs)))
    assert [0] in parts and [3] in parts
    assert 16 <= len(parts) <= 32
    assert max(len(p) for p in parts) > 1  # small files are batched


def test_pool_gives_the_same_results_in_job_order(tmp_path: Path) -> None:
    tree = tmp_path / "models"
    tree.mkdir()
    for i in range(150):
        data = safetensors_bytes({f"t{i}": ("F32", [2, i % 7 + 1])})
        (tree / f"m{i:03}.safetensors").write_bytes(data)
    g.write(tree / "evil.pkl", g.call("posix", "system"))
    g.write(tree / "ok.pt", g.torch_zip(g.torch_state_dict()))
    jobs, skipped = jobs_for_tree(tree)
    assert not skipped and len(jobs) == 152
    steps: list[int] = []
    pooled, _ = inspect_jobs(jobs, workers=2, on_done=steps.append)
    alone, _ = inspect_jobs(jobs, workers=1)
    assert sum(steps) == len(jobs) and max(steps) > 1  # chunks came back from the pool
    assert [i.location.path for i in pooled] == [j.rel for j in jobs]
    assert pooled == alone


def test_hash_through_the_pool_matches_in_process(tmp_path: Path) -> None:
    jobs = []
    for i in range(4):
        p = tmp_path / f"w{i}.safetensors"
        p.write_bytes(safetensors_bytes({"w": ("U8", [0])}))
        with p.open("r+b") as fh:  # a sparse tail: hashed like any bytes, costs no disk
            fh.truncate(100 * MB + i)
        jobs.append(InspectJob(p, p.name, tmp_path))
    sizes = [j.path.stat().st_size for j in jobs]
    assert use_pool(sizes, [".safetensors"] * 4, True, 2)
    pooled, _ = inspect_jobs(jobs, hash_files=True, workers=2)
    alone, _ = inspect_jobs(jobs, hash_files=True, workers=1)
    assert [i.sha256 for i in pooled] == [i.sha256 for i in alone]
    assert all(i.sha256 and len(i.sha256) == 64 for i in pooled)
