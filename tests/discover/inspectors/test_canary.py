"""Nothing scanned ever runs: every malicious sample is inspected and the marker never appears.

Also a static check that no modeldeps module imports a loader that could run a model file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import modeldeps
from modeldeps.discover.inspectors import inspect_file
from modeldeps.model import Severity
from tests.discover.inspectors import pickle_gen as g

DATA = Path(__file__).resolve().parents[2] / "data" / "weights"
SRC = Path(modeldeps.__file__).resolve().parent


def generated_samples() -> dict[str, bytes]:
    """Tiny malicious files of every shape the inspectors handle, written opcode by opcode."""
    tail = g.glob("posix", "system") + g.text(g.CMD) + g.TUPLE1 + g.REDUCE + g.APPENDS + g.STOP
    return {
        "global.pkl": g.call("os", "system"),
        "proto0.pkl": g.call("builtins", "exec", "import os", protocol=0),
        "stack_global.pkl": g.stack_call("nt", "system"),
        "nested.pkl": g.proto(4) + g.binbytes(g.call("os", "system", protocol=4)) + g.STOP,
        "second_stream.pkl": g.benign_dict() + g.call("subprocess", "call"),
        "truncated.pkl": g.call("os", "system")[:-3],
        "zip.pt": g.torch_zip(g.call("posix", "system")),
        "legacy.pt": g.legacy_torch(g.call("os", "system")),
        "array.joblib": g.joblib_array_then(tail),
        "object.npy": g.npy("|O", (1,), g.call("os", "system", protocol=3)),
    }


def test_no_sample_runs(tmp_path: Path) -> None:
    g.MARKER.unlink(missing_ok=True)
    seen = 0
    for name, data in generated_samples().items():
        info = inspect_file(g.write(tmp_path / name, data), name, tmp_path)
        assert max(f.severity.rank for f in info.findings) >= Severity.HIGH.rank, name
        seen += 1
    for path in sorted(DATA.glob("m*")):
        info = inspect_file(path, path.name, DATA)
        assert max(f.severity.rank for f in info.findings) >= Severity.HIGH.rank, path.name
        seen += 1
    for path in sorted(DATA.glob("b*")):
        info = inspect_file(path, path.name, DATA)
        assert all(f.severity.rank <= Severity.LOW.rank for f in info.findings), path.name
    assert seen >= 17
    assert not g.MARKER.exists(), "a scanned payload was executed"


_FORBIDDEN = {"torch", "joblib", "keras", "tensorflow", "dill", "cloudpickle"}
_PICKLE_LOADERS = {"load", "loads", "Unpickler"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    bad: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in _FORBIDDEN or root in {"pickle", "_pickle", "cPickle"}:
                    bad.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            root = node.module.split(".")[0]
            if root in _FORBIDDEN:
                bad.append(f"from {node.module} import ...")
            if root in {"pickle", "_pickle"} and any(a.name in _PICKLE_LOADERS for a in node.names):
                bad.append(f"from {node.module} import load")
    return bad


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_a_model_loader(path: Path) -> None:
    assert _violations(path) == []


def test_the_static_check_catches_loader_imports(tmp_path: Path) -> None:
    probe = g.write(
        tmp_path / "probe.py",
        b"import pickle\nfrom torch import load\n"
        b"import tensorflow.keras\nfrom _pickle import loads\n",
    )
    assert len(_violations(probe)) == 4
