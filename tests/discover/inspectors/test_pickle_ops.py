"""The opcode walk: globals by every route, streams, nesting, breakage and bounds."""

from __future__ import annotations

import base64

import pytest

from modeldeps.discover.inspectors.pickle_ops import Limits, analyse, looks_like_pickle
from modeldeps.discover.inspectors.pickle_policy import danger_class, findings_for, grade
from modeldeps.model import Severity
from tests.discover.inspectors import pickle_gen as g


def names(data: bytes, **kw: object) -> set[str]:
    return {ref.qualname for ref in analyse(data, **kw).globals}  # type: ignore[arg-type]


def worst(data: bytes) -> Severity | None:
    found = findings_for(analyse(data, joblib=True), "x.pkl")
    return max((f.severity for f in found), key=lambda s: s.rank, default=None)


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_global_reduce_in_every_protocol(protocol: int) -> None:
    a = analyse(g.call("os", "system", protocol=protocol))
    assert [(r.qualname, r.called, r.opcode) for r in a.globals] == [("os.system", True, "GLOBAL")]
    assert a.pickles == 1 and a.malformed is None
    assert worst(g.call("os", "system", protocol=protocol)) is Severity.CRITICAL


def test_stack_global_with_memoized_names() -> None:
    a = analyse(g.stack_call("posix", "system"))
    assert [(r.qualname, r.opcode, r.called) for r in a.globals] == [
        ("posix.system", "STACK_GLOBAL", True)
    ]


def test_protocol0_put_get_feeds_stack_global() -> None:
    data = (
        g.text("nt", 0)
        + g.put0(7)
        + g.POP
        + g.text("system", 0)
        + g.put0(8)
        + g.POP
        + g.get0(7)
        + g.get0(8)
        + g.STACK_GLOBAL
        + g.MARK
        + g.text(g.CMD, 0)
        + g.TUPLE
        + g.REDUCE
        + g.STOP
    )
    assert names(data) == {"nt.system"}


def test_stack_global_with_computed_name_is_dynamic_import() -> None:
    # getattr-style: the module name is the result of a call, known only at load time.
    data = (
        g.proto(4)
        + g.glob("builtins", "str")
        + g.text("os")
        + g.TUPLE1
        + g.REDUCE
        + g.text("system")
        + g.STACK_GLOBAL
        + g.text(g.CMD)
        + g.TUPLE1
        + g.REDUCE
        + g.STOP
    )
    a = analyse(data)
    assert [x.kind for x in a.anomalies] == ["dynamic-import"]
    assert worst(data) is Severity.CRITICAL


@pytest.mark.parametrize(
    ("module", "name", "cls"),
    [
        ("posix", "system", "process"),
        ("nt", "system", "process"),
        ("_posixsubprocess", "fork_exec", "process"),
        ("subprocess", "Popen", "process"),
        ("builtins", "exec", "exec"),
        ("__builtin__", "eval", "exec"),
        ("runpy", "run_path", "exec"),
        ("importlib", "import_module", "import"),
        ("operator", "attrgetter", "import"),
        ("_operator", "methodcaller", "import"),
        ("builtins", "getattr", "import"),
        ("socket", "create_connection", "network"),
        ("urllib.request", "urlopen", "network"),
        ("shutil", "rmtree", "filesystem"),
        ("_io", "FileIO", "filesystem"),
        ("torch", "serialization.os.system", "process"),  # attribute walk from an allowed module
        ("collections", "OrderedDict.__init__.__globals__.eval", "exec"),
    ],
)
def test_alias_modules_and_attribute_walks_are_dangerous(module: str, name: str, cls: str) -> None:
    assert danger_class(module, name) == cls
    assert worst(g.call(module, name)) is Severity.CRITICAL


def test_allowlisted_and_unknown_globals() -> None:
    assert grade("torch._utils", "_rebuild_tensor_v2") is None
    assert grade("numpy._core.multiarray", "_reconstruct") is None
    assert grade("collections", "OrderedDict") is None
    # Allowlist, not deny list: anything not vouched for is high.
    assert grade("mypkg.model", "Net") == (Severity.HIGH, "unknown")
    # Prefixes never allow: a dotted name past an allowed global is not allowed.
    assert grade("torch._utils", "_rebuild_tensor_v2.x") == (Severity.HIGH, "unknown")


def test_torch_state_dict_is_clean_and_counts_storages() -> None:
    a = analyse(g.torch_state_dict(numel=6))
    assert a.malformed is None and a.storages == 1 and a.storage_numel == 6
    assert a.storage_types == (("torch.FloatStorage", 6),)
    assert findings_for(a, "m.pt") == ()


def test_second_pickle_in_stream_is_walked() -> None:
    data = g.benign_dict() + g.call("os", "system")
    a = analyse(data)
    assert a.pickles == 2 and names(data) == {"os.system"}


def test_trailing_junk_after_last_pickle_is_not_a_payload() -> None:
    a = analyse(g.benign_dict() + b"\x00\x01\x02garbage")
    assert a.pickles == 1 and a.globals == () and a.malformed is None


@pytest.mark.parametrize("cut", [1, 5, 12])
def test_truncated_stream_keeps_the_payload_seen_before_the_break(cut: int) -> None:
    data = g.proto(2) + g.glob("builtins", "exec") + g.text("import os", 2) + g.TUPLE1
    a = analyse(data[: len(data) - cut] if cut < 12 else data + b"\xff\xfe")
    assert "builtins.exec" in {r.qualname for r in a.globals}
    assert a.malformed
    rules = {(f.rule_id, f.severity) for f in findings_for(a, "x.pkl")}
    assert ("MD201", Severity.CRITICAL) in rules and ("MD210", Severity.LOW) in rules


@pytest.mark.parametrize(
    "wrap",
    [
        lambda p: g.binbytes(p),
        lambda p: g.text(p.decode("latin-1")),
        lambda p: g.text(base64.b64encode(p).decode()),
        lambda p: g.text(p.hex()),
    ],
    ids=["bytes", "latin1-str", "base64", "hex"],
)
def test_nested_pickle_payloads(wrap: object) -> None:
    inner = g.call("os", "system", protocol=4)
    data = g.proto(4) + g.EMPTY_DICT + g.MARK + g.text("blob") + wrap(inner) + g.SETITEMS + g.STOP  # type: ignore[operator]
    a = analyse(data)
    refs = [r for r in a.globals if r.qualname == "os.system"]
    assert refs and refs[0].depth == 1
    assert any(x.kind == "nested-pickle" for x in a.anomalies)
    assert worst(data) is Severity.CRITICAL


def test_nested_pickle_with_unknown_call_is_high_and_benign_nested_is_quiet() -> None:
    inner = g.call("builtins", "print", "hello", protocol=4)
    data = g.proto(4) + g.binbytes(inner) + g.STOP
    assert worst(data) is Severity.HIGH
    quiet = g.proto(4) + g.binbytes(g.benign_dict()) + g.STOP
    assert findings_for(analyse(quiet), "x.pkl") == ()


def test_nesting_depth_is_bounded() -> None:
    payload = g.call("os", "system", protocol=4)
    for _ in range(6):
        payload = g.proto(4) + g.binbytes(payload) + g.STOP
    assert "os.system" not in names(payload)  # 6 levels deep, past the default depth of 3
    assert "os.system" in names(payload, limits=Limits(max_depth=8))


def test_inst_obj_newobj_newobj_ex_and_build_on_global() -> None:
    inst = g.MARK + g.text(g.CMD, 0) + g.inst("os", "system") + g.STOP
    assert {(r.qualname, r.opcode, r.called) for r in analyse(inst).globals} == {
        ("os.system", "INST", True)
    }
    obj = g.proto(2) + g.MARK + g.glob("os", "popen") + g.text(g.CMD, 2) + g.OBJ + g.STOP
    assert analyse(obj).globals[0].called
    newobj = g.proto(2) + g.glob("subprocess", "Popen") + g.EMPTY_TUPLE + g.NEWOBJ + g.STOP
    assert analyse(newobj).globals[0].called
    newobj_ex = (
        g.proto(4)
        + g.glob("subprocess", "Popen")
        + g.EMPTY_TUPLE
        + g.EMPTY_DICT
        + g.NEWOBJ_EX
        + g.STOP
    )
    assert analyse(newobj_ex).globals[0].called
    build = (
        g.proto(4)
        + g.glob("torch._utils", "_rebuild_tensor_v2")
        + g.EMPTY_DICT
        + g.MARK
        + g.text("a")
        + g.text("os")
        + g.SETITEMS
        + g.BUILD
        + g.STOP
    )
    assert [x.kind for x in analyse(build).anomalies] == ["build-on-global"]
    assert worst(build) is Severity.CRITICAL


def test_joblib_raw_array_bytes_are_stepped_over() -> None:
    tail = g.glob("os", "system") + g.text(g.CMD) + g.TUPLE1 + g.REDUCE + g.APPENDS + g.STOP
    a = analyse(g.joblib_array_then(tail), joblib=True)
    assert a.malformed is None, a.malformed
    assert {r.qualname for r in a.globals} == {
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "numpy.dtype",
        "os.system",
    }  # and no junk global from the array bytes


def test_legacy_torch_stops_before_storage_bytes() -> None:
    a = analyse(g.legacy_torch(g.torch_state_dict()))
    assert a.legacy_torch and a.pickles == 5 and a.malformed is None
    assert "os.system" not in {r.qualname for r in a.globals}  # raw bytes never parsed
    bad = g.legacy_torch(
        g.torch_state_dict(),
        magic_pickle=g.proto(2)
        + g.glob("os", "system")
        + g.text(g.CMD, 2)
        + g.TUPLE1
        + g.REDUCE
        + g.POP
        + b"\x8a\x0a"
        + g.LEGACY_MAGIC.to_bytes(10, "little")
        + g.STOP,
    )
    assert "os.system" in {r.qualname for r in analyse(bad).globals}


def test_op_bound_marks_incomplete() -> None:
    data = (
        g.proto(4)
        + g.EMPTY_LIST
        + g.MARK
        + g.integer(1) * 5000
        + g.APPENDS
        + g.call("os", "system")
    )
    a = analyse(data, limits=Limits(max_ops=100))
    assert a.incomplete and "opcodes" in a.incomplete
    # Fail closed: the payload after the bound is unseen, so the file is high.
    found = {(f.rule_id, f.severity) for f in findings_for(a, "x.pkl")}
    assert found == {("MD209", Severity.HIGH)}


def test_looks_like_pickle() -> None:
    assert looks_like_pickle(g.call("os", "system", protocol=4)[:8])
    assert looks_like_pickle(b"cos\nsystem\n")
    assert not looks_like_pickle(b"\x80\x02\x00\x00\x00\x00")  # safetensors length 640
    assert not looks_like_pickle(b"PK\x03\x04")
