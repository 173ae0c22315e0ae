"""Allowlist, not deny list: working gadgets a deny list missed are critical, the rest high."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.pickle_policy import allowed, danger_class, grade
from modeldeps.model import Severity
from tests.discover.inspectors import pickle_gen as g


def _call(module: str, name: str, *args: bytes) -> bytes:
    return g.glob(module, name) + g.MARK + b"".join(args) + g.TUPLE + g.REDUCE


GADGETS = {
    # os.spawnlp reached through argparse's private alias of os (protocol 4 walks dotted names)
    "argparse-os-spawnlp": g.proto(4)
    + _call(
        "argparse", "_os.spawnlp", g.integer(0), *(g.text(x) for x in ("sh", "sh", "-c", g.CMD))
    )
    + g.STOP,
    # a file write through an allowlisted class's method
    "posixpath-write-text": g.proto(4)
    + _call(
        "pathlib",
        "PosixPath.write_text",
        _call("pathlib", "PosixPath", g.text("/tmp/modeldeps_pwned_marker")),
        g.text("x"),
    )
    + g.STOP,
    # typing evaluates a ForwardRef's string: eval in disguise
    "typing-eval-type": g.proto(4)
    + _call(
        "typing",
        "_eval_type",
        _call("typing", "ForwardRef", g.text(f"__import__('os').system('{g.CMD}')")),
        g.EMPTY_DICT,
        g.EMPTY_DICT,
    )
    + g.STOP,
    # an attribute walk from an allowlisted class through a dunder
    "namespace-getattribute": g.proto(4)
    + _call(
        "argparse",
        "Namespace.__getattribute__",
        _call("argparse", "Namespace"),
        g.text("__class__"),
    )
    + g.STOP,
    "codecs-open": g.proto(2)
    + _call("codecs", "open", g.text("/tmp/modeldeps_pwned_marker", 2), g.text("w", 2))
    + g.STOP,
    "numpy-savetxt": g.proto(2)
    + _call("numpy", "savetxt", g.text("/tmp/modeldeps_pwned_marker", 2), g.EMPTY_LIST)
    + g.STOP,
    # dictConfig imports and calls whatever '()' names
    "logging-dictconfig": g.proto(2)
    + _call(
        "logging.config",
        "dictConfig",
        g.EMPTY_DICT
        + g.MARK
        + g.text("version", 2)
        + g.integer(1)
        + g.text("handlers", 2)
        + g.EMPTY_DICT
        + g.MARK
        + g.text("h", 2)
        + g.EMPTY_DICT
        + g.MARK
        + g.text("()", 2)
        + g.text("os.system", 2)
        + g.text("command", 2)
        + g.text(g.CMD, 2)
        + g.SETITEMS
        + g.SETITEMS
        + g.SETITEMS,
    )
    + g.STOP,
    # cPickle is pickle to the unpickler (fix_imports); the payload is glued by operator.add
    "cpickle-loads-operator-add": g.proto(2)
    + _call(
        "cPickle",
        "loads",
        _call(
            "operator",
            "add",
            g.binbytes(g.call("os", "system")[:9]),
            g.binbytes(g.call("os", "system")[9:]),
        ),
    )
    + g.STOP,
}


@pytest.mark.parametrize("name", sorted(GADGETS))
def test_working_gadgets_are_critical(tmp_path: Path, name: str) -> None:
    path = g.write(tmp_path / f"{name}.pkl", GADGETS[name])
    info = inspect_file(path, path.name, tmp_path)
    worst = max(f.severity.rank for f in info.findings)
    assert worst == Severity.CRITICAL.rank, [
        (f.rule_id, f.severity, f.subject) for f in info.findings
    ]


@pytest.mark.parametrize(
    ("module", "name", "cls"),
    [
        ("argparse", "_os.spawnlp", "process"),
        ("sysconfig", "_os.system", "process"),
        ("pathlib", "PosixPath.write_text", "filesystem"),
        ("typing", "_eval_type", "exec"),
        ("argparse", "Namespace.__getattribute__", "import"),
        ("codecs", "open", "filesystem"),
        ("numpy", "savetxt", "filesystem"),
        ("logging.config", "dictConfig", "exec"),
        ("cPickle", "loads", "exec"),
        ("__builtin__", "getattr", "import"),
        ("commands", "getoutput", "process"),
    ],
)
def test_primitive_classes(module: str, name: str, cls: str) -> None:
    assert danger_class(module, name) == cls


def test_anything_not_allowlisted_is_high() -> None:
    for module, name in [("operator", "add"), ("functools", "partial"), ("mylib", "Model")]:
        assert grade(module, name) == (Severity.HIGH, "unknown")


def test_python2_names_follow_the_unpicklers_own_table() -> None:
    assert allowed("__builtin__", "set")  # builtins.set
    assert allowed("copy_reg", "_reconstructor")  # copyreg._reconstructor
    assert not allowed("__builtin__", "eval")


def test_the_allowlist_keeps_its_seed_and_contradicts_no_danger_class() -> None:
    from modeldeps.discover.inspectors.pickle_policy import allowlist

    seed_file = Path(__file__).resolve().parents[2] / "data" / "weights"
    seed = (seed_file / "torch_weights_only_allowlist.txt").read_text("utf-8").split()
    assert len(seed) > 100
    assert [name for name in seed if name not in allowlist()] == []
    # No allowed name is itself a known primitive (an exact entry would hide it), except the
    # TorchScript unpickler's own list builders, allowed by name inside the dangerous torch.jit.
    clashes = []
    for name in allowlist():
        module, _, attr = name.rpartition(".")
        if danger_class(module, attr) and not name.startswith("torch.jit._pickle."):
            clashes.append(name)
    assert clashes == []
