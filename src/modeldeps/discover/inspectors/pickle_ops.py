"""Pickle analysis by a bounded symbolic opcode walk (stdlib pickletools); never unpickles."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import pickletools
import re
import time
from dataclasses import dataclass, field
from typing import Any

#: The int that opens every legacy (non-zip) ``torch.save`` file; after it come exactly 5 pickles.
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PICKLES = 5

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_<>]*)*$")
_B64 = re.compile(rb"^[A-Za-z0-9+/=\s_-]+$")
# Base64 of b"\x80" + protocol 2..5 starts "gA" then one of these (the protocol's high bits).
_B64_PROTO = frozenset(b"IJKLMNOPQRSTUVWX")
_HEX = re.compile(rb"^(?:[0-9a-fA-F]{2})+$")
# Protocol header or protocol-0 GLOBAL: what a pickle hidden in a string or bytes starts with.
_PICKLE_START = re.compile(rb"^(?:\x80[\x00-\x05]|c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n)")


_OPCODE_BYTES = frozenset(op.code.encode("latin-1")[0] for op in pickletools.opcodes)


def looks_like_pickle(head: bytes) -> bool:
    """Whether bytes start like a pickle: a protocol 2-5 header then an opcode, or a text GLOBAL."""
    if len(head) >= 3 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return head[2] in _OPCODE_BYTES
    return bool(_PICKLE_START.match(head[:256])) and head[:1] == b"c"


#: How many opcodes of a file's head must decode for it to count as a pickle worth walking.
PLAUSIBLE_OPS = 8


def plausible_pickle(head: bytes, min_ops: int = PLAUSIBLE_OPS) -> bool:
    """Whether a file's first bytes decode as pickle opcodes, cheaply, before any big read.

    Each opcode must decode and find on the (counted, not built) stack the items it consumes,
    as the real unpickler would need; memo reads must name a stored slot. True when ``min_ops``
    opcodes pass (or a whole pickle, to STOP); when the head runs out inside an argument after
    a protocol header or two good opcodes; and whenever an import (GLOBAL/INST with identifier
    names, STACK_GLOBAL) came before the stream broke, since the real unpickler would already
    have imported and maybe called it. Random or foreign bytes fail within a few bytes.
    """
    if not head or head[0] not in _OPCODE_BYTES:
        return False
    buf = io.BytesIO(head)
    count = 0
    imports = proto = False
    marks = [0]  # items above each MARK; marks[0] is the bottom of the stack
    memo: set[int] = set()
    try:
        for op, arg, _pos in pickletools.genops(buf):
            if not _stack_step(op, arg, marks, memo):
                return imports
            count += 1
            proto = proto or (op.name == "PROTO" and count == 1 and int(str(arg)) <= 5)
            if op.name in ("GLOBAL", "INST"):
                module, _, name = str(arg).partition(" ")
                imports = imports or bool(_IDENT.match(module) and _IDENT.match(name))
            imports = imports or op.name == "STACK_GLOBAL"
            if op.name == "STOP" or count >= min_ops:
                return True
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, EOFError):
        ran_out = buf.tell() >= len(head)
        return imports or (ran_out and (count >= 2 or proto))
    return imports


def _stack_step(op: pickletools.OpcodeInfo, arg: Any, marks: list[int], memo: set[int]) -> bool:
    """Apply one opcode's stack effect to item counts; False when the real unpickler would fail."""
    before = op.stack_before
    if pickletools.markobject in before:
        if len(marks) < 2:
            return False
        marks.pop()
        below = before.index(pickletools.markobject)
    else:
        below = len(before)
    name = op.name
    if name in ("GET", "BINGET", "LONG_BINGET") and int(str(arg)) not in memo:
        return False
    if name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
        if marks[-1] == 0:  # memoizes the top item, which must exist
            return False
        memo.add(len(memo) if name == "MEMOIZE" else int(str(arg)))
    if marks[-1] < below:
        return False
    marks[-1] -= below
    if name == "MARK":
        marks.append(0)
    else:
        marks[-1] += len(op.stack_after)
    return True


def pickle_starts(data: bytes, limit: int = 64) -> list[int]:
    """Offsets in a blob where a pickle may start (for archives whose member table is lost)."""
    found: list[int] = []
    pos = data.find(b"\x80")
    while pos >= 0 and len(found) < limit:
        if looks_like_pickle(data[pos : pos + 3]):
            found.append(pos)
        pos = data.find(b"\x80", pos + 1)
    return found


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one analysis: opcodes, wall time, nesting depth and nested bytes."""

    max_ops: int = 20_000_000
    max_seconds: float = 30.0
    max_depth: int = 3
    max_nested_bytes: int = 64 * 1024 * 1024
    max_stack: int = 1_000_000


@dataclass(frozen=True, slots=True)
class GlobalRef:
    """A global a pickle imports, where, and whether it is called (REDUCE/NEWOBJ/OBJ/INST)."""

    module: str
    name: str
    opcode: str
    offset: int
    called: bool = False
    depth: int = 0  # 0 for the file's own pickle, n for a pickle nested n levels in bytes

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A structure no ordinary checkpoint has: dynamic import, BUILD on a global, nested pickle."""

    kind: str  # "dynamic-import", "build-on-global", "nested-pickle"
    detail: str
    offset: int
    depth: int = 0


@dataclass(frozen=True, slots=True)
class PickleAnalysis:
    """What a walk over one byte stream saw. ``malformed`` is set when the stream broke."""

    globals: tuple[GlobalRef, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    pickles: int = 0
    ops: int = 0
    malformed: str | None = None
    incomplete: str | None = None  # a bound was hit before the end
    legacy_torch: bool = False
    storages: int = 0
    storage_numel: int = 0
    storage_types: tuple[tuple[str, int], ...] = ()  # (storage global, numel), per storage key
    end_offset: int = 0


class _Stop(Exception):
    """A bound was hit; the walk ends with what it has seen."""


# Symbolic values on the stack. Identity matters (memo aliasing), so no value equality.
class _Val:
    __slots__ = ()


_MARK = _Val()
_UNKNOWN = _Val()


@dataclass(slots=True, eq=False)
class _Const(_Val):
    value: Any


@dataclass(slots=True, eq=False)
class _Glob(_Val):
    module: str
    name: str
    ref: int  # index into the walk's globals list


@dataclass(slots=True, eq=False)
class _Tup(_Val):
    items: tuple[_Val, ...]


@dataclass(slots=True, eq=False)
class _Obj(_Val):
    kind: str  # list, dict, set, call, persistent
    func: _Val | None = None
    args: _Val | None = None
    items: list[_Val] = field(default_factory=list)
    state: _Val | None = None


_CONST_OPS = frozenset(
    {
        *("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT"),
        *("STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "SHORT_BINUNICODE", "BINUNICODE"),
        *("BINUNICODE8", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8"),
    }
)
_FIXED = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_TUPLE_N = {"TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}
_EMPTY = {"EMPTY_LIST": "list", "EMPTY_DICT": "dict", "EMPTY_SET": "set"}
_FROM_MARK = {"LIST": "list", "DICT": "dict", "FROZENSET": "set"}


class _Walk:
    """State of one analysis: shared across the pickles of a stream and nested payloads."""

    def __init__(self, limits: Limits, joblib: bool) -> None:
        self.limits = limits
        self.joblib = joblib
        self.deadline = time.monotonic() + limits.max_seconds
        self.globals: list[GlobalRef] = []
        self.anomalies: list[Anomaly] = []
        self.ops = 0
        self.nested_bytes = 0
        self.storages: dict[str, tuple[str, int]] = {}

    # -- bookkeeping -------------------------------------------------------------------------
    def add_global(self, module: str, name: str, opcode: str, pos: int, depth: int) -> _Glob:
        self.globals.append(GlobalRef(module, name, opcode, pos, depth=depth))
        return _Glob(module, name, len(self.globals) - 1)

    def mark_called(self, func: _Val) -> None:
        if isinstance(func, _Glob):
            ref = self.globals[func.ref]
            if not ref.called:
                self.globals[func.ref] = GlobalRef(
                    ref.module, ref.name, ref.opcode, ref.offset, True, ref.depth
                )

    def tick(self) -> None:
        self.ops += 1
        if self.ops > self.limits.max_ops:
            raise _Stop(f"more than {self.limits.max_ops} opcodes")
        if self.ops & 0xFFF == 0 and time.monotonic() > self.deadline:
            raise _Stop(f"analysis took longer than {self.limits.max_seconds:g} s")

    # -- nested payloads ---------------------------------------------------------------------
    def nested(self, value: Any, pos: int, depth: int) -> None:
        """Walk bytes or text that decode to a pickle (raw, base64 or hex)."""
        if depth >= self.limits.max_depth or not isinstance(value, str | bytes | bytearray):
            return
        raw = value.encode("latin-1", "replace") if isinstance(value, str) else bytes(value[:])
        if len(raw) < 8:
            return
        candidates = [("raw", raw)]
        if len(raw) <= self.limits.max_nested_bytes:
            if _HEX.match(raw[:64]) and raw[:2] == b"80" and _HEX.match(raw):
                candidates.append(("hex", binascii.unhexlify(raw)))
            elif raw[:2] == b"gA" and raw[2] in _B64_PROTO and _B64.match(raw):
                with contextlib.suppress(binascii.Error, ValueError):
                    candidates.append(("base64", base64.b64decode(raw, validate=False)))
        for encoding, blob in candidates:
            if not _PICKLE_START.match(blob[:256]):
                continue
            if self.nested_bytes >= self.limits.max_nested_bytes:
                return
            before = len(self.globals)
            sub = _run_stream(self, blob, depth + 1, max_pickles=1)
            # Charge what was walked, not the blob: tensor bytes that merely start like a
            # pickle stop within a few bytes and must not exhaust the budget.
            self.nested_bytes += max(sub.end, 64)
            found = self.globals[before:]
            # Random tensor bytes can look like a pickle start; keep only plausible payloads.
            if sub.completed or any(_IDENT.match(g.qualname) for g in found):
                self.anomalies.append(
                    Anomaly("nested-pickle", f"{encoding} pickle of {len(blob)} bytes", pos, depth)
                )
            else:
                del self.globals[before:]


@dataclass(slots=True)
class _StreamResult:
    pickles: int = 0
    completed: bool = False
    error: str | None = None
    legacy: bool = False
    end: int = 0


def _pop_mark(stack: list[_Val]) -> list[_Val]:
    items: list[_Val] = []
    while stack:
        v = stack.pop()
        if v is _MARK:
            items.reverse()
            return items
        items.append(v)
    items.reverse()
    return items  # no MARK: the real unpickler would fail; keep going with what we have


def _pop(stack: list[_Val]) -> _Val:
    return stack.pop() if stack else _UNKNOWN


def _itemsize(dtype: _Val) -> int | None:
    """Bytes per element of a pickled ``numpy.dtype(descr, ...)`` call, when constant."""
    if not (isinstance(dtype, _Obj) and isinstance(dtype.args, _Tup) and dtype.args.items):
        return None
    state = dtype.state
    if isinstance(state, _Tup) and len(state.items) > 5:
        elsize = state.items[5]
        if isinstance(elsize, _Const) and isinstance(elsize.value, int) and elsize.value > 0:
            return elsize.value
    descr = dtype.args.items[0]
    if not (isinstance(descr, _Const) and isinstance(descr.value, str)):
        return None
    m = re.match(r"^[<>|=]?([a-zA-Z?])(\d*)$", descr.value)
    if not m:
        return None
    kind, digits = m.group(1), m.group(2)
    if kind == "O":
        return 0
    if kind == "?":
        return 1
    n = int(digits) if digits else 0
    return n * 4 if kind == "U" else n or None


def _joblib_skip(walk: _Walk, target: _Val, buf: io.BytesIO, depth: int) -> None:
    """Step over the raw array bytes joblib writes after a ``NumpyArrayWrapper`` BUILD."""
    if not (isinstance(target, _Obj) and isinstance(target.func, _Glob)):
        return
    if (target.func.module, target.func.name) != ("joblib.numpy_pickle", "NumpyArrayWrapper"):
        return
    state = target.state
    if not (isinstance(state, _Obj) and state.kind == "dict"):
        return
    fields: dict[str, _Val] = {}
    for k, v in zip(state.items[::2], state.items[1::2], strict=False):
        if isinstance(k, _Const) and isinstance(k.value, str):
            fields[k.value] = v
    size = _itemsize(fields.get("dtype", _UNKNOWN))
    if size == 0:  # object arrays are written as a complete pickle of their own
        _run_stream(walk, None, depth, max_pickles=1, buf=buf)
        return
    shape = fields.get("shape")
    if size is None or not isinstance(shape, _Tup):
        raise ValueError("joblib array wrapper with a non-constant shape or dtype")
    count = 1
    for dim in shape.items:
        if not (isinstance(dim, _Const) and isinstance(dim.value, int)):
            raise ValueError("joblib array wrapper with a non-constant shape")
        count *= dim.value
    if "numpy_array_alignment_bytes" in fields:
        pad = buf.read(1)
        buf.seek(pad[0] if pad else 0, io.SEEK_CUR)
    buf.seek(count * size, io.SEEK_CUR)


def _run_one(walk: _Walk, buf: io.BytesIO, depth: int) -> bool:
    """Walk one pickle from the buffer's position up to STOP. True when the first op was PROTO
    or a LONG1 legacy magic appeared."""
    stack: list[_Val] = []
    memo: dict[int, _Val] = {}
    legacy = False
    for op, arg, pos in pickletools.genops(buf):
        walk.tick()
        name = op.name
        if name in _CONST_OPS:
            stack.append(_Const(arg))
            if isinstance(arg, str | bytes | bytearray) and len(arg) >= 8:
                walk.nested(arg, pos or 0, depth)
            if arg == TORCH_LEGACY_MAGIC and name == "LONG1":
                legacy = True
        elif name in _FIXED:
            stack.append(_Const(_FIXED[name]))
        elif name == "MARK":
            stack.append(_MARK)
        elif name == "EMPTY_TUPLE":
            stack.append(_Tup(()))
        elif name in _TUPLE_N:
            n = _TUPLE_N[name]
            items = tuple(stack[-n:]) if len(stack) >= n else tuple(stack)
            del stack[-n:]
            stack.append(_Tup(items))
        elif name == "TUPLE":
            stack.append(_Tup(tuple(_pop_mark(stack))))
        elif name in _EMPTY:
            stack.append(_Obj(_EMPTY[name]))
        elif name in _FROM_MARK:
            stack.append(_Obj(_FROM_MARK[name], items=_pop_mark(stack)))
        elif name in ("APPEND", "SETITEM", "APPENDS", "SETITEMS", "ADDITEMS"):
            if name == "APPEND":
                new = [_pop(stack)]
            elif name == "SETITEM":
                v = _pop(stack)
                new = [_pop(stack), v]
            else:
                new = _pop_mark(stack)
            target = stack[-1] if stack else _UNKNOWN
            if isinstance(target, _Obj) and len(target.items) < 100_000:
                target.items.extend(new)
        elif name == "GLOBAL" or name == "INST":
            module, _, gname = str(arg).partition(" ")
            glob = walk.add_global(module, gname, name, pos or 0, depth)
            if name == "INST":
                walk.mark_called(glob)
                stack.append(_Obj("call", glob, _Tup(tuple(_pop_mark(stack)))))
            else:
                stack.append(glob)
        elif name == "STACK_GLOBAL":
            gname_v, module_v = _pop(stack), _pop(stack)
            if (
                isinstance(module_v, _Const)
                and isinstance(module_v.value, str)
                and isinstance(gname_v, _Const)
                and isinstance(gname_v.value, str)
            ):
                stack.append(walk.add_global(module_v.value, gname_v.value, name, pos or 0, depth))
            else:
                walk.anomalies.append(
                    Anomaly("dynamic-import", "STACK_GLOBAL with computed names", pos or 0, depth)
                )
                stack.append(_UNKNOWN)
        elif name in ("REDUCE", "NEWOBJ"):
            args, func = _pop(stack), _pop(stack)
            walk.mark_called(func)
            stack.append(_Obj("call", func, args))
        elif name == "NEWOBJ_EX":
            _kwargs, args, func = _pop(stack), _pop(stack), _pop(stack)
            walk.mark_called(func)
            stack.append(_Obj("call", func, args))
        elif name == "OBJ":
            marked = _pop_mark(stack)
            func = marked[0] if marked else _UNKNOWN
            walk.mark_called(func)
            stack.append(_Obj("call", func, _Tup(tuple(marked[1:]))))
        elif name == "BUILD":
            state = _pop(stack)
            target = stack[-1] if stack else _UNKNOWN
            if isinstance(target, _Glob):
                walk.anomalies.append(
                    Anomaly("build-on-global", f"{target.module}.{target.name}", pos or 0, depth)
                )
            elif isinstance(target, _Obj) and target.state is None:
                target.state = state
                if walk.joblib:
                    _joblib_skip(walk, target, buf, depth)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[int(str(arg))] = stack[-1] if stack else _UNKNOWN
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else _UNKNOWN
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo.get(int(str(arg)), _UNKNOWN))
        elif name in ("BINPERSID", "PERSID"):
            pid = _Const(arg) if name == "PERSID" else _pop(stack)
            _record_storage(walk, pid)
            stack.append(_Obj("persistent", args=pid))
        elif name in ("EXT1", "EXT2", "EXT4"):
            stack.append(walk.add_global("copyreg.extension", str(arg), name, pos or 0, depth))
        elif name == "DUP":
            stack.append(stack[-1] if stack else _UNKNOWN)
        elif name == "POP":
            _pop(stack)
        elif name == "POP_MARK":
            _pop_mark(stack)
        elif name == "STOP":
            return legacy
        elif name in ("PROTO", "FRAME"):
            pass
        else:  # NEXT_BUFFER, READONLY_BUFFER and anything new: generic stack effect
            for _ in op.stack_before:
                _pop(stack)
            stack.extend(_UNKNOWN for _ in op.stack_after)
        if len(stack) > walk.limits.max_stack:
            raise _Stop("symbolic stack grew past its bound")
    raise ValueError("pickle ended without STOP")


def _record_storage(walk: _Walk, pid: _Val) -> None:
    """Torch persistent ids: ('storage', StorageType, key, location, numel)."""
    if not (isinstance(pid, _Tup) and len(pid.items) >= 5):
        return
    tag, stype, key, _loc, numel = pid.items[:5]
    if not (isinstance(tag, _Const) and tag.value == "storage" and isinstance(key, _Const)):
        return
    type_name = f"{stype.module}.{stype.name}" if isinstance(stype, _Glob) else "unknown"
    n = numel.value if isinstance(numel, _Const) and isinstance(numel.value, int) else 0
    walk.storages.setdefault(str(key.value), (type_name, n))


def _run_stream(
    walk: _Walk,
    data: bytes | None,
    depth: int,
    *,
    max_pickles: int | None = None,
    buf: io.BytesIO | None = None,
) -> _StreamResult:
    """Walk consecutive pickles in one buffer; a stream may hold several (legacy torch, joblib)."""
    if buf is None:
        buf = io.BytesIO(data or b"")
    total = len(buf.getbuffer())
    res = _StreamResult()
    limit = max_pickles
    while buf.tell() < total and (limit is None or res.pickles < limit):
        start = buf.tell()
        ops_before = walk.ops
        try:
            legacy = _run_one(walk, buf, depth)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, EOFError) as exc:
            if res.pickles and walk.ops == ops_before + 0 and depth == 0:
                break  # bytes after the last pickle that are no pickle at all: trailing data
            res.error = f"at byte {start}+: {exc}"[:300]
            break
        res.pickles += 1
        res.completed = True
        if legacy and res.pickles == 1:
            res.legacy = True
            limit = _LEGACY_PICKLES
    res.end = buf.tell()
    return res


def analyse(
    data: bytes,
    *,
    limits: Limits | None = None,
    max_pickles: int | None = None,
    joblib: bool = False,
) -> PickleAnalysis:
    """Walk every pickle in ``data`` and report globals, anomalies and whether the stream broke.

    Never raises for bad input: a corrupt or truncated stream keeps everything seen before the
    break and sets ``malformed``.
    """
    walk = _Walk(limits or Limits(), joblib)
    incomplete = None
    try:
        res = _run_stream(walk, data, 0, max_pickles=max_pickles)
    except _Stop as stop:
        res = _StreamResult(error=None)
        incomplete = str(stop)
    except RecursionError:
        res = _StreamResult(error="nesting too deep")
    malformed = res.error
    if res.pickles == 0 and not malformed and not incomplete:
        malformed = "empty stream" if not data else None
    types: dict[str, int] = {}
    for type_name, numel in walk.storages.values():
        types[type_name] = types.get(type_name, 0) + numel
    return PickleAnalysis(
        globals=tuple(walk.globals),
        anomalies=tuple(walk.anomalies),
        pickles=res.pickles,
        ops=walk.ops,
        malformed=malformed,
        incomplete=incomplete,
        legacy_torch=res.legacy,
        storages=len(walk.storages),
        storage_numel=sum(n for _, n in walk.storages.values()),
        storage_types=tuple(sorted(types.items())),
        end_offset=res.end,
    )
