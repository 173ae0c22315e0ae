"""Pickle analysis: one bounded symbolic walk that accepts what CPython's unpickler accepts.

Every pickle the inspectors meet (raw files, archive members, compressed streams, payloads nested
in a pickle's own strings) and the plausibility check that recognises a pickle by its content go
through this reader. It follows the C unpickler (``Modules/_pickle.c``), which ``pickle.load``,
``torch.load`` and ``joblib.load`` all use: numeric literals in any base ``strtol`` and ``int(x,
0)`` accept, protocol-0 strings in any encoding a loader may ask for, the separate mark stack
(POP removes a MARK), the fence that stops an opcode from reaching below a MARK, PROTO anywhere
in a stream, frames that must fit in the input. Where the loaders differ or are configurable the
reader accepts the union, so it never stops before a loader would.

It never unpickles: values are symbols (constants, imported globals, call results, containers).
It is linear in the stream: constant arguments are sliced, never copied twice; long runs of
opcodes that change nothing (a push then a POP, a repeated PUT) are stepped over in C; large
byte strings are skipped without being read unless they start like a nested pickle. Every
budget (opcodes, stack, memo, bytes, wall time) ends the walk as *incomplete*, which the policy
treats as dangerous: what was not read cannot be called safe.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import re
import struct
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

#: The int that opens every legacy (non-zip) ``torch.save`` file; after it come exactly 5 pickles.
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PICKLES = 5
#: The highest protocol CPython's unpickler accepts in PROTO.
HIGHEST_PROTOCOL = 5

#: Why a walk stopped on time (a per-file or the scan's shared deadline).
TIME_BUDGET = "the analysis time budget ran out"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_<>]*)*$")
_B64 = re.compile(rb"^[A-Za-z0-9+/=\s_-]+$")
# Base64 of b"\x80" + protocol 2..5 starts "gA" then one of these (the protocol's high bits).
_B64_PROTO = frozenset(b"IJKLMNOPQRSTUVWX")
_HEX = re.compile(rb"^(?:[0-9a-fA-F]{2})+$")
# Protocol header or protocol-0 GLOBAL: what a pickle hidden in a string or bytes starts with.
_PICKLE_START = re.compile(rb"^(?:\x80[\x00-\x05]|c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n)")

#: Every opcode byte of protocols 0-5 (pickletools' table, as bytes).
OPCODES = frozenset(b"().0123FGIJKLMNPQRSTUVXabcdeghijloprstu}]\x80\x81\x82\x83\x84\x85\x86\x87")
OPCODES = OPCODES | frozenset(b"\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97")
OPCODES = OPCODES | frozenset(b"\x98B")

#: Constant arguments kept whole up to this size; longer ones are summarised (``_Blob``).
_KEEP = 64 * 1024
#: Bytes asked of a source first, and at most at a time: reads start small (a legacy
#: checkpoint's pickles are a few KB before megabytes of tensors) and double while the walk
#: keeps going.
FIRST_READ = 64 * 1024
_CHUNK = 4 << 20
#: A text-line argument (INT, GLOBAL, STRING...) longer than this is not followed.
_MAX_LINE = 16 * 1024 * 1024
#: How many opcodes pass between budget checks, and how many of those between filler checks.
_CHECK_EVERY = 4096
_FILLER_EVERY = 16

# Runs that leave the stack and memo as they were: a constant push or a MARK, then POP; or
# MARK then POP_MARK. Matched from an opcode boundary, so every unit starts on an opcode.
_NEUTRAL = re.compile(
    rb"(?:(?:[N\x88\x89)\]}\x8f(]|K.|M..|J....|G.{8}|I[0-9]{1,9}\n)0|\(1)++",
    re.DOTALL,
)
#: First bytes of a string that may hold a nested pickle: raw, hex ("80..") or base64 ("gA..");
#: 0xC2 starts U+0080 in UTF-8 (a pickle carried as latin-1 text).
_NESTED_FIRST = frozenset(b"\x80c8g\xc2")
_PUSH_THEN_POP = frozenset(b"N\x88\x89)]}\x8f(KMJG")
#: For each opcode that pushes a constant (or MARK): its argument's width, so the loop can see
#: in one index whether a POP follows; -1 for every other opcode.
_TRIGGER_WIDTH: tuple[int, ...] = tuple(
    {0x4B: 1, 0x4D: 2, 0x4A: 4, 0x47: 8}.get(b, 0) if b in _PUSH_THEN_POP else -1
    for b in range(256)
)


class Source(Protocol):
    """A byte stream the reader consumes: ``read`` up to n bytes (``b""`` at the end) and
    ``skip`` n bytes without keeping them (returns how many were there)."""

    def read(self, n: int) -> bytes: ...

    def skip(self, n: int) -> int: ...


class BytesSource:
    """A stream over bytes already in memory."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._data = memoryview(data).cast("B")
        self._pos = 0

    def read(self, n: int) -> bytes:
        out = bytes(self._data[self._pos : self._pos + n])
        self._pos += len(out)
        return out

    def skip(self, n: int) -> int:
        step = min(n, len(self._data) - self._pos)
        self._pos += step
        return step


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one analysis. Reaching any of them makes the analysis *incomplete*.

    ``deadline`` (a ``time.monotonic()`` value) lets a caller share one time budget between
    files; the walk stops at whichever comes first, it or ``max_seconds``.
    """

    max_ops: int = 20_000_000
    max_seconds: float = 30.0
    max_depth: int = 3
    max_nested_bytes: int = 64 * 1024 * 1024
    max_stack: int = 1_000_000
    max_memo: int = 2_000_000
    max_bytes: int = 1 << 30
    deadline: float | None = None


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
    """A structure no ordinary checkpoint has: dynamic import, a global changed in place, a
    computed value called, a nested pickle."""

    kind: str  # "dynamic-import", "build-on-global", "mutates-global", "call-computed",
    #            "nested-pickle"
    detail: str
    offset: int
    depth: int = 0


@dataclass(frozen=True, slots=True)
class PickleAnalysis:
    """What a walk over one byte stream saw.

    ``malformed`` is set when the stream broke where the loader would fail too (what came
    before it was still walked); ``incomplete`` when a budget ended the walk before the loader
    would have stopped, so something after that point may run.
    """

    globals: tuple[GlobalRef, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    pickles: int = 0
    ops: int = 0
    malformed: str | None = None
    incomplete: str | None = None
    legacy_torch: bool = False
    storages: int = 0
    storage_numel: int = 0
    storage_types: tuple[tuple[str, int], ...] = ()  # (storage global, numel), per storage key
    end_offset: int = 0
    skipped_ops: int = 0  # opcodes of runs that change nothing, stepped over without a walk
    returned: Any = None  # what the last pickle's STOP returned, as plain data (see ``plain``)


@dataclass(frozen=True, slots=True)
class GlobalValue:
    """An imported global as a value a pickle returned (for formats that read pickles' values,
    such as the storage records of a legacy torch tar checkpoint)."""

    qualname: str


def plain(value: Any, depth: int = 0) -> Any:
    """A symbolic value as plain data: constants and tuples as they are, globals as
    ``GlobalValue``, anything built by a call as None."""
    if isinstance(value, _Glob):
        return GlobalValue(f"{value.module}.{value.name}")
    if isinstance(value, tuple) and depth < 4:
        return tuple(plain(v, depth + 1) for v in value[:64])
    if isinstance(value, _CONSTANT_TYPES):
        return value
    return None


class Incomplete(Exception):
    """A budget was reached; the walk ends with what it has seen (incomplete)."""


_Stop = Incomplete


class _Bad(Exception):
    """The stream is invalid where the unpickler would raise too (the loader stops here)."""


class _Short(_Bad):
    """The stream ended inside an opcode (truncated)."""


# --- symbolic values ------------------------------------------------------------------------
# Constants are plain Python values (None, bool, int, float, str, bytes, tuples of values);
# everything the loader would build by calling something is one of these objects.


class _Val:
    __slots__ = ()


class _Unknown(_Val):
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


_UNKNOWN = _Unknown()


@dataclass(slots=True, eq=False)
class _Blob(_Val):
    """A string or bytes constant too long to keep: its length and first bytes."""

    size: int
    head: bytes
    text: bool


@dataclass(slots=True, eq=False)
class _Glob(_Val):
    module: str
    name: str
    ref: int  # index into the walk's globals list


@dataclass(slots=True, eq=False)
class _Obj(_Val):
    kind: str  # list, dict, set, call, persistent, buffer
    func: Any = None
    args: Any = None
    items: list[Any] = field(default_factory=list)
    state: Any = None


_CONSTANT_TYPES = (type(None), bool, int, float, str, bytes)


def _is_const(v: Any) -> bool:
    if isinstance(v, tuple):
        return all(_is_const(x) for x in v)
    return isinstance(v, _CONSTANT_TYPES)


# --- literal parsing exactly as _pickle.c does it -------------------------------------------

# strtol(s, &end, 0): optional space and sign, then hex (0x + digits), octal (0 + digits) or
# decimal; "0x" without a hex digit parses as "0" and stops at the "x".
_STRTOL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
# PyLong_FromString(s, NULL, 0) / int(s, 0): underscores between digits, spaces around.
_PYLONG0 = re.compile(
    rb"[ \t\n\v\f\r]*[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
    rb"|0(?:_?0)*|[1-9](?:_?[0-9])*)[ \t\n\v\f\r]*"
)
_PYLONG10 = re.compile(rb"[ \t\n\v\f\r]*[+-]?[0-9](?:_?[0-9])*[ \t\n\v\f\r]*")
# PyOS_string_to_double: no leading space, no underscores; inf/nan in any case.
_DOUBLE = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)", re.IGNORECASE
)
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
#: Literals longer than this are accepted without computing their value (the value is unused).
_MAX_LITERAL = 4000


def _cstr(line: bytes) -> bytes:
    """The C string the unpickler sees: the line up to its first NUL."""
    nul = line.find(b"\0")
    return line if nul < 0 else line[:nul]


def _pylong(text: bytes, base: int) -> int | _Unknown:
    """``PyLong_FromString(text, NULL, base)``; raises _Bad where it fails."""
    pattern = _PYLONG0 if base == 0 else _PYLONG10
    if not pattern.fullmatch(text):
        raise _Bad(f"invalid integer literal {text[:40]!r}")
    if len(text) > _MAX_LITERAL:
        return _UNKNOWN
    return int(text, base)


def parse_int_line(line: bytes) -> int | bool | _Unknown:
    """The INT opcode's line (with its newline), as ``load_int`` reads it: ``strtol`` base 0,
    then ``PyLong_FromString`` base 0 when strtol stops early or overflows."""
    s = line + b"\0"
    m = _STRTOL.match(s)
    if m is None:
        if s[:1] == b"\0":  # strtol found no digits and left end at s, which is a NUL
            return False if len(line) == 3 else 0
        return _pylong(_cstr(line), 0)
    sign, digits = m.group(1), m.group(2)
    if digits[:2] in (b"0x", b"0X"):
        value = int(digits[2:], 16)
    elif digits.startswith(b"0"):
        value = int(digits, 8) if len(digits) > 1 else 0
    else:
        value = int(digits) if len(digits) < 40 else _LONG_MAX + 1
    value = -value if sign == b"-" else value
    if _LONG_MIN <= value <= _LONG_MAX and s[m.end()] in (0x0A, 0):
        return bool(value) if len(line) == 3 and value in (0, 1) else value
    return _pylong(_cstr(line), 0)


def parse_long_line(line: bytes) -> int | _Unknown:
    """The LONG opcode's line: a trailing ``L`` dropped, then ``PyLong_FromString`` base 0."""
    body = line[:-2] if len(line) >= 2 and line[-2:-1] == b"L" else line
    return _pylong(_cstr(body), 0)


def parse_float_line(line: bytes) -> float:
    """The FLOAT opcode's line, as ``PyOS_string_to_double`` reads it (overflow is an error)."""
    m = _DOUBLE.match(line)
    if m is None or line[m.end() : m.end() + 1] not in (b"\n", b"\0"):
        raise _Bad(f"invalid float literal {line[:40]!r}")
    text = m.group(0)
    value = float(text)
    if value in (float("inf"), float("-inf")) and b"inf" not in text.lower():
        raise _Bad("float literal overflows")
    return value


def parse_string_line(line: bytes) -> str:
    """The STRING opcode: quoted, backslash escapes decoded. The loader decodes the bytes with
    the encoding it was given (ASCII by default, UTF-8 in torch, latin-1 for NumPy); every byte
    is some encoding's character, so the reader keeps them all (latin-1)."""
    body = line[:-1]
    if len(body) < 2 or body[0] != body[-1] or body[:1] not in (b"'", b'"'):
        raise _Bad("the STRING opcode argument must be quoted")
    inner = body[1:-1]
    if b"\\" in inner:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown escape only warns, as in the loader
            try:
                inner = codecs.escape_decode(inner)[0]
            except ValueError as exc:
                raise _Bad(f"bad escape in STRING: {exc}") from None
    return inner.decode("latin-1")


def _utf8(raw: bytes) -> str:
    """BINUNICODE and GLOBAL text; invalid UTF-8 (which the loader rejects) is kept as
    ``\\xNN`` escapes, so every name a finding quotes is printable text."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def looks_like_pickle(head: bytes) -> bool:
    """Whether bytes start like a pickle: a protocol 2-5 header then an opcode, or a text GLOBAL.

    A cheap first test; ``plausible_pickle`` is the real one.
    """
    if len(head) >= 3 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return head[2] in OPCODES
    return bool(_PICKLE_START.match(head[:256])) and head[:1] == b"c"


#: How many opcodes of a file's head must decode for it to count as a pickle worth walking.
PLAUSIBLE_OPS = 8


def plausible_pickle(head: bytes, min_ops: int = PLAUSIBLE_OPS) -> bool:
    """Whether a file's first bytes are a pickle's start, judged by this module's own reader.

    True when ``min_ops`` opcodes pass as the unpickler would run them (or a whole pickle ends
    in STOP); when the head runs out inside an opcode after a protocol header or two good
    opcodes; and whenever an import came before the stream broke, since the unpickler would
    already have imported and maybe called it. Random or foreign bytes fail within a few bytes.
    """
    if not head or head[0] not in OPCODES:
        return False
    walk = _Walk(Limits(max_ops=min_ops, max_depth=0), joblib=False, sniff=True)
    reader = _Reader(BytesSource(head), len(head), walk.limits.max_bytes)
    proto = head[0] == 0x80 and len(head) > 1 and head[1] <= HIGHEST_PROTOCOL
    whole = 0
    try:
        # A stream may hold several short pickles (a legacy checkpoint's magic is two
        # opcodes); two or three opcodes of text ("C" + 111 bytes + ".") make no pickle.
        while reader.ensure(1):
            walk.run_one(reader, 0)
            whole += 1
            if proto or walk.ops + walk.skipped_ops >= 4 or _imported(walk):
                return True
        return False
    except _Stop:
        return True  # min_ops opcodes decoded
    except _Short:
        return _imported(walk) or walk.ops + walk.skipped_ops >= 2 or proto
    except _Bad:
        return _imported(walk) or walk.dynamic or (whole > 0 and walk.ops >= 4)


def _imported(walk: _Walk) -> bool:
    """Whether the walk imported a name that could be imported (text that merely starts with
    a "c" reads as a GLOBAL of garbage, which no loader could import)."""
    return any(_IDENT.match(g.module) and _IDENT.match(g.name) for g in walk.globals)


def pickle_starts(data: bytes, limit: int = 64) -> list[int]:
    """Offsets in a blob where a pickle may start (for archives whose member table is lost)."""
    found: list[int] = []
    pos = data.find(b"\x80")
    while pos >= 0 and len(found) < limit:
        if looks_like_pickle(data[pos : pos + 3]):
            found.append(pos)
        pos = data.find(b"\x80", pos + 1)
    return found


class _Reader:
    """A window over a source: ``buf[pos:]`` are the next bytes; ``base`` is buf's offset."""

    __slots__ = ("base", "budget", "buf", "chunk", "eof", "pos", "src", "total")

    def __init__(self, src: Source, first: int, budget: int) -> None:
        self.src = src
        self.buf = b""
        self.pos = 0
        self.base = 0
        self.eof = False
        self.budget = budget
        self.total = 0
        self.chunk = max(first, 16)
        self._more(self.chunk)

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def _more(self, want: int) -> None:
        if self.total >= self.budget:
            raise _Stop(f"stream longer than the {self.budget}-byte analysis budget")
        got = self.src.read(min(want, self.budget - self.total))
        self.total += len(got)
        if len(got) < want and self.total < self.budget:
            self.eof = True
        self.base += self.pos
        self.buf = self.buf[self.pos :] + got if self.pos < len(self.buf) else got
        self.pos = 0
        self.chunk = min(self.chunk * 2, _CHUNK)

    def ensure(self, n: int) -> bool:
        """At least ``n`` bytes at ``pos``; False when the stream ends first."""
        while len(self.buf) - self.pos < n:
            if self.eof:
                return False
            self._more(max(n - (len(self.buf) - self.pos), self.chunk))
        return True

    def take(self, n: int) -> bytes:
        if not self.ensure(n):
            raise _Short("pickle data was truncated")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def line(self) -> bytes:
        """Bytes up to and including the next newline (the unpickler's readline)."""
        start = self.pos
        while True:
            nl = self.buf.find(b"\n", start)
            if nl >= 0:
                out = self.buf[self.pos : nl + 1]
                self.pos = nl + 1
                return out
            if self.eof:
                raise _Short("pickle data was truncated (no newline)")
            if len(self.buf) - self.pos > _MAX_LINE:
                raise _Stop(f"a text argument longer than {_MAX_LINE} bytes")
            start = len(self.buf) - self.pos
            self._more(self.chunk)
            start += self.pos

    def skip(self, n: int) -> None:
        """Step over ``n`` bytes (large arguments): from the window, then from the source."""
        here = len(self.buf) - self.pos
        if n <= here:
            self.pos += n
            return
        rest = n - here
        self.base += len(self.buf)
        self.buf, self.pos = b"", 0
        # Skipping costs a file nothing (a seek); a compressed source charges its own budget.
        got = self.src.skip(rest)
        self.base += got
        if got < rest:
            self.eof = True
            raise _Short("pickle data was truncated")


class _Walk:
    """State of one analysis: shared across the pickles of a stream and nested payloads."""

    def __init__(self, limits: Limits, joblib: bool, *, sniff: bool = False) -> None:
        self.limits = limits
        self.joblib = joblib
        self.sniff = sniff
        now = time.monotonic()
        deadline = now + limits.max_seconds
        if limits.deadline is not None:
            deadline = min(deadline, limits.deadline)
        self.deadline = deadline
        self.globals: list[GlobalRef] = []
        self.anomalies: list[Anomaly] = []
        self.ops = 0
        self.skipped_ops = 0
        self.nested_bytes = 0
        self.storages: dict[str, tuple[str, int]] = {}
        self.dynamic = False
        self.result: Any = None  # what the last pickle's STOP returned

    # -- bookkeeping -------------------------------------------------------------------------
    def add_global(self, module: str, name: str, opcode: str, pos: int, depth: int) -> _Glob:
        self.globals.append(GlobalRef(module, name, opcode, pos, depth=depth))
        return _Glob(module, name, len(self.globals) - 1)

    def called(self, func: Any, pos: int, depth: int) -> None:
        if isinstance(func, _Glob):
            ref = self.globals[func.ref]
            if not ref.called:
                self.globals[func.ref] = GlobalRef(
                    ref.module, ref.name, ref.opcode, ref.offset, True, ref.depth
                )
        elif isinstance(func, _Obj) and func.kind in ("call", "persistent"):
            # Calling what a call returned: real checkpoints only call imported globals.
            self.anomaly("call-computed", "calls a value built while loading", pos, depth)

    def frame_crossing(self, frame_end: int, depth: int, what: str = "") -> None:
        """An opcode runs past the end of its FRAME. No pickler writes that, and loaders
        disagree on what follows (pickle.loads reads on, a loader over a file object without
        peek drops the rest of the frame, the pure-Python unpickler raises): a way to show a
        scanner one program and a loader another."""
        detail = what or "an opcode runs past the end of its FRAME"
        detail += f" (the frame ends at byte {frame_end})"
        self.anomaly("frame-mismatch", detail, frame_end, depth)

    def anomaly(self, kind: str, detail: str, pos: int, depth: int) -> None:
        if len(self.anomalies) < 1000:
            self.anomalies.append(Anomaly(kind, detail, pos, depth))

    def check_budget(self) -> None:
        if self.ops > self.limits.max_ops:
            raise _Stop(f"more than {self.limits.max_ops} opcodes")
        if time.monotonic() > self.deadline:
            raise _Stop(TIME_BUDGET)

    # -- nested payloads ---------------------------------------------------------------------
    def nested(self, value: Any, pos: int, depth: int) -> None:
        """Walk bytes or text that decode to a pickle (raw, base64 or hex)."""
        if depth >= self.limits.max_depth or not isinstance(value, str | bytes):
            return
        raw = value.encode("latin-1", "replace") if isinstance(value, str) else value
        if len(raw) < 8:
            return
        candidates = [("raw", raw)]
        if len(raw) <= self.limits.max_nested_bytes:
            if raw[:2] == b"80" and _HEX.match(raw[:64]) and _HEX.match(raw):
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
            sub = self.stream(BytesSource(blob), len(blob), depth + 1, max_pickles=1)
            # Charge what was walked, not the blob: tensor bytes that merely start like a
            # pickle stop within a few bytes and must not exhaust the budget.
            self.nested_bytes += max(sub.end, 64)
            found = self.globals[before:]
            # Random tensor bytes can look like a pickle start; keep only plausible payloads.
            if sub.completed or any(_IDENT.match(g.qualname) for g in found):
                self.anomaly("nested-pickle", f"{encoding} pickle of {len(blob)} bytes", pos, depth)
            else:
                del self.globals[before:]

    def constant(self, raw: bytes, text: bool, pos: int, depth: int) -> Any:
        value: Any = _utf8(raw) if text else raw
        if len(raw) >= 8 and not self.sniff:
            self.nested(value, pos, depth)
        return value

    def big_constant(self, r: _Reader, size: int, text: bool, pos: int, depth: int) -> Any:
        """A string or bytes argument of ``size`` bytes at the reader: kept when small, else
        stepped over after its head (read whole only when it starts like a nested pickle)."""
        if size <= _KEEP:
            return self.constant(r.take(size), text, pos, depth)
        head = r.take(64)
        nested_ok = depth < self.limits.max_depth and not self.sniff
        if nested_ok and size <= self.limits.max_nested_bytes and _looks_nested(head):
            return self.constant(head + r.take(size - 64), text, pos, depth)
        r.skip(size - 64)
        return _Blob(size, head, text)

    # -- streams ---------------------------------------------------------------------------
    def stream(
        self, src: Source, first: int, depth: int, *, max_pickles: int | None = None
    ) -> _StreamResult:
        """Walk consecutive pickles of a stream (legacy torch and joblib write several)."""
        r = _Reader(src, min(first, FIRST_READ), self.limits.max_bytes)
        return self.stream_on(r, depth, max_pickles=max_pickles)

    def stream_on(
        self,
        r: _Reader,
        depth: int,
        *,
        max_pickles: int | None = None,
        res: _StreamResult | None = None,
    ) -> _StreamResult:
        """Walk pickles from the reader until STOP of the last, a break, or ``max_pickles``.

        ``res`` collects progress as it is made, so a caller that catches ``Incomplete``
        still knows how far the walk got.
        """
        res = res if res is not None else _StreamResult()
        limit = max_pickles
        while limit is None or res.pickles < limit:
            if not r.ensure(1):
                break
            start = r.offset
            ops_before = self.ops
            try:
                self.run_one(r, depth)
            except _Bad as exc:
                trailing = res.pickles and not res.legacy and depth == 0
                if trailing and self.ops - ops_before <= 1:
                    break  # bytes after the last pickle that are no pickle at all
                if trailing:
                    res.trailing_error = f"at byte {start}+: {exc}"[:300]
                else:
                    res.error = f"at byte {r.offset}: {exc}"[:300]
                break
            finally:
                res.end = r.offset
            res.pickles += 1
            res.completed = True
            if res.pickles == 1 and depth == 0 and _is_legacy_magic(self.result):
                res.legacy = True
                limit = _LEGACY_PICKLES
        res.end = r.offset
        return res

    def run_one(self, r: _Reader, depth: int) -> None:
        """Walk one pickle from the reader's position through its STOP."""
        stack: list[Any] = []
        marks: list[int] = []
        fence = 0
        memo: dict[int, Any] = {}
        limits = self.limits
        max_stack = limits.max_stack
        ops = self.ops
        next_check = ops + min(_CHECK_EVERY, limits.max_ops - ops + 1)
        checks = 0
        buf = r.buf
        i = r.pos
        n = len(buf)
        base = r.base
        kinds = _KIND
        argw = _TRIGGER_WIDTH
        frame_end = -1  # stream offset where the current FRAME ends; -1 outside frames
        try:
            while True:
                if n - i < 16:
                    r.pos = i
                    r.ensure(16)
                    buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                    if i >= n:
                        raise _Short("pickle data was truncated (no STOP)")
                pos = base + i
                if frame_end >= 0 and pos >= frame_end:
                    if pos > frame_end:
                        self.frame_crossing(frame_end, depth)
                    frame_end = -1
                op = buf[i]
                i += 1
                ops += 1
                if ops >= next_check:
                    self.ops = ops
                    self.check_budget()
                    next_check = ops + min(_CHECK_EVERY, limits.max_ops - ops + 1)
                    checks += 1
                    if checks % _FILLER_EVERY == 0 and not self.sniff:
                        # Generated filler: a short unit repeated that changes nothing.
                        r.pos = i - 1
                        _skip_periodic(self, r, stack, marks, memo, frame_end)
                        fence = marks[-1] if marks else 0
                        buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                        ops -= 1
                        continue
                # Push-then-POP filler: step over the whole run in C.
                width = argw[op]
                if (
                    width >= 0
                    and n - i > 16
                    and (buf[i + width] == 0x30 or (op == 0x28 and buf[i] == 0x31))
                ):
                    # Repeated filler is stepped over by comparing bytes; a mix of
                    # push-then-POP units by one (possessive, so linear) regex match.
                    r.pos = i - 1
                    moved = not self.sniff and _skip_periodic(
                        self, r, stack, marks, memo, frame_end
                    )
                    buf, n, base = r.buf, len(r.buf), r.base
                    if moved:
                        i = r.pos
                        fence = marks[-1] if marks else 0
                        ops -= 1
                        continue
                    i = r.pos + 1
                    stop_at = frame_end - r.base if frame_end >= 0 else n
                    m = _NEUTRAL.match(buf, i - 1, max(stop_at, i))
                    if m is not None and m.end() - (i - 1) >= 32:
                        self.skipped_ops += (m.end() - i) // 2
                        i = m.end()
                        ops -= 1
                        continue
                kind = kinds[op]
                if kind < 8:
                    if kind == 0:
                        # PUT family
                        if op == 0x71:
                            idx = buf[i]
                            i += 1
                        elif op == 0x72:
                            (idx,) = _U32.unpack_from(buf, i)
                            i += 4
                        elif op == 0x70:
                            r.pos = i
                            line = r.line()
                            buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                            if len(line) < 2:
                                raise _Bad("PUT needs an index")
                            v = _pylong(_cstr(line), 10)
                            if not isinstance(v, int) or v < 0:
                                raise _Bad("negative PUT argument")
                            idx = v
                        else:
                            idx = len(memo)
                        if len(stack) <= fence:
                            raise _Bad("unpickling stack underflow")
                        memo[idx] = stack[-1]
                        if len(memo) > limits.max_memo:
                            raise _Stop("memo grew past its bound")
                    elif kind == 1:
                        # GET family
                        if op == 0x68:
                            idx = buf[i]
                            i += 1
                        elif op == 0x6A:
                            (idx,) = _U32.unpack_from(buf, i)
                            i += 4
                        else:
                            r.pos = i
                            line = r.line()
                            buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                            if len(line) < 2:
                                raise _Bad("GET needs an index")
                            v = _pylong(_cstr(line), 10)
                            idx = v if isinstance(v, int) else -1
                        if idx not in memo:
                            raise _Bad(f"Memo value not found at index {idx}")
                        stack.append(memo[idx])
                    elif kind == 2:
                        # SHORT_BINUNICODE, BINUNICODE, SHORT_BINBYTES, BINBYTES, SHORT_BINSTRING
                        if op == 0x8C or op == 0x43 or op == 0x55:
                            size = buf[i]
                            i += 1
                        else:
                            (size,) = _U32.unpack_from(buf, i)
                            i += 4
                        if size <= n - i and size <= _KEEP:
                            raw = buf[i : i + size]
                            i += size
                            value: Any
                            if op == 0x8C or op == 0x58:
                                value = _utf8(raw)
                            elif op == 0x55:
                                value = raw.decode("latin-1")
                            else:
                                value = raw
                            if size >= 8 and raw[0] in _NESTED_FIRST and not self.sniff:
                                self.nested(value, pos, depth)
                            stack.append(value)
                        else:
                            r.pos = i
                            text = op in (0x8C, 0x58, 0x55)
                            stack.append(self.big_constant(r, size, text, pos, depth))
                            buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                    elif kind == 3:
                        # MARK
                        marks.append(len(stack))
                        fence = len(stack)
                    elif kind == 4:
                        # BININT1
                        stack.append(buf[i])
                        i += 1
                    elif kind == 5:
                        # BININT2
                        stack.append(buf[i] | buf[i + 1] << 8)
                        i += 2
                    elif kind == 6:
                        # BININT
                        stack.append(_I32.unpack_from(buf, i)[0])
                        i += 4
                    elif kind == 7:
                        # BINFLOAT
                        stack.append(_F64.unpack_from(buf, i)[0])
                        i += 8
                elif kind < 16:
                    if kind == 8:
                        # TUPLE1-3
                        k = op - 0x84
                        if len(stack) - fence < k:
                            raise _Bad("unexpected MARK found")
                        items = tuple(stack[-k:])
                        del stack[-k:]
                        stack.append(items)
                    elif kind == 9:
                        # EMPTY_TUPLE
                        stack.append(())
                    elif kind == 10:
                        # EMPTY_DICT
                        stack.append(_Obj("dict"))
                    elif kind == 11:
                        # EMPTY_LIST
                        stack.append(_Obj("list"))
                    elif kind == 12:
                        # NONE
                        stack.append(None)
                    elif kind == 13:
                        # NEWTRUE / NEWFALSE
                        stack.append(op == 0x88)
                    elif kind == 14:
                        # APPENDS, SETITEMS, ADDITEMS
                        if not marks:
                            raise _Bad("could not find MARK")
                        at = marks.pop()
                        got = stack[at:]
                        del stack[at:]
                        fence = marks[-1] if marks else 0
                        if at <= fence:  # the container must sit above the enclosing MARK
                            raise _Bad("unexpected MARK found" if marks else "stack underflow")
                        if op == 0x75 and len(got) % 2:
                            raise _Bad("odd number of items for SETITEMS")
                        if got:
                            self._add_items(stack[-1], got, pos, depth)
                    elif kind == 15:
                        # REDUCE
                        if len(stack) - fence < 2:
                            raise _Bad("unpickling stack underflow")
                        args = stack.pop()
                        func = stack.pop()
                        self.called(func, pos, depth)
                        stack.append(_Obj("call", func, args))
                else:
                    if kind == 16:
                        # GLOBAL, INST
                        r.pos = i
                        m_at = r.offset
                        m_line = r.line()
                        n_at = r.offset
                        n_line = r.line()
                        buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                        if len(m_line) < 2 or len(n_line) < 2:
                            raise _Bad("pickle data was truncated")
                        name = "GLOBAL" if op == 0x63 else "INST"
                        if frame_end >= 0 and m_at < frame_end < r.offset:
                            # A line running out of its frame reads differently in loaders that
                            # drop the frame's rest: record the other reading of both names too.
                            alt_m = _after(m_line, m_at, frame_end)
                            alt_n = _after(n_line, n_at, frame_end)
                            self.add_global(_utf8(alt_m[:-1]), _utf8(alt_n[:-1]), name, pos, depth)
                        glob = self.add_global(
                            _utf8(m_line[:-1]), _utf8(n_line[:-1]), name, pos, depth
                        )
                        if op == 0x63:
                            stack.append(glob)
                        else:
                            if not marks:
                                raise _Bad("could not find MARK")
                            at = marks.pop()
                            args = tuple(stack[at:])
                            del stack[at:]
                            fence = marks[-1] if marks else 0
                            self.called(glob, pos, depth)
                            stack.append(_Obj("call", glob, args))
                    elif kind == 17:
                        # BUILD
                        if len(stack) - fence < 2:
                            raise _Bad("unpickling stack underflow")
                        state = stack.pop()
                        target = stack[-1]
                        if isinstance(target, _Glob):
                            self.anomaly(
                                "build-on-global", f"{target.module}.{target.name}", pos, depth
                            )
                        elif isinstance(target, _Obj) and target.state is None:
                            target.state = state
                            if self.joblib and _is_array_wrapper(target):
                                # joblib commits the frame, then writes the array bytes after it.
                                if frame_end >= 0 and r.base + i != frame_end:
                                    self.frame_crossing(
                                        frame_end, depth, "array bytes inside a frame"
                                    )
                                frame_end = -1
                                r.pos = i
                                _joblib_skip(self, target, r, depth)
                                buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                    elif kind == 18:
                        # TUPLE
                        if not marks:
                            raise _Bad("could not find MARK")
                        at = marks.pop()
                        items = tuple(stack[at:])
                        del stack[at:]
                        fence = marks[-1] if marks else 0
                        stack.append(items)
                    elif kind == 19:
                        # STACK_GLOBAL
                        if len(stack) - fence < 2:
                            raise _Bad("unpickling stack underflow")
                        gname = stack.pop()
                        module = stack.pop()
                        if isinstance(module, str) and isinstance(gname, str):
                            stack.append(self.add_global(module, gname, "STACK_GLOBAL", pos, depth))
                        elif _is_const(module) and _is_const(gname):
                            raise _Bad("STACK_GLOBAL requires str")
                        else:
                            self.dynamic = True
                            detail = "STACK_GLOBAL with computed names"
                            self.anomaly("dynamic-import", detail, pos, depth)
                            stack.append(_UNKNOWN)
                    elif kind == 20:
                        # NEWOBJ, NEWOBJ_EX
                        k = 2 if op == 0x81 else 3
                        if len(stack) - fence < k:
                            raise _Bad("unpickling stack underflow")
                        if op == 0x92:
                            stack.pop()
                        args = stack.pop()
                        cls = stack.pop()
                        if _is_const(cls) or isinstance(cls, _Blob):
                            raise _Bad("NEWOBJ class argument must be a type")
                        self.called(cls, pos, depth)
                        stack.append(_Obj("call", cls, args))
                    elif kind == 21:
                        # APPEND, SETITEM
                        k = 1 if op == 0x61 else 2
                        if len(stack) - fence < k + 1:
                            raise _Bad("unpickling stack underflow")
                        got = stack[-k:]
                        del stack[-k:]
                        self._add_items(stack[-1], got, pos, depth)
                    elif kind == 22:
                        # LIST, DICT, FROZENSET
                        if not marks:
                            raise _Bad("could not find MARK")
                        at = marks.pop()
                        got = stack[at:]
                        del stack[at:]
                        fence = marks[-1] if marks else 0
                        if op == 0x64 and len(got) % 2:
                            raise _Bad("odd number of items for DICT")
                        what = "list" if op == 0x6C else "dict" if op == 0x64 else "set"
                        stack.append(_Obj(what, items=got[:100_000]))
                    elif kind == 23:
                        # POP: the MARK itself when it is on top
                        if marks and marks[-1] == len(stack):
                            marks.pop()
                            fence = marks[-1] if marks else 0
                        elif len(stack) <= fence:
                            raise _Bad("unpickling stack underflow")
                        else:
                            stack.pop()
                    elif kind == 24:
                        # BINPERSID, PERSID
                        if op == 0x50:
                            r.pos = i
                            line = r.line()
                            buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                            pid: Any = line[:-1].decode("latin-1")
                        else:
                            if len(stack) <= fence:
                                raise _Bad("unpickling stack underflow")
                            pid = stack.pop()
                        self._storage(pid)
                        stack.append(_Obj("persistent", args=pid))
                    elif kind == 25:
                        # STOP
                        if len(stack) <= fence:
                            raise _Bad("unpickling stack underflow")
                        self.result = stack[-1]
                        r.pos = i
                        return
                    elif kind == 26:
                        # PROTO
                        if buf[i] > HIGHEST_PROTOCOL:
                            raise _Bad(f"unsupported pickle protocol: {buf[i]}")
                        i += 1
                    elif kind == 27:
                        # FRAME: its bytes must all be there
                        (size,) = _U64.unpack_from(buf, i)
                        i += 8
                        if frame_end >= 0:
                            self.frame_crossing(frame_end, depth, "a FRAME inside another frame")
                        frame_end = r.base + i + size if size else -1
                        # The C unpickler wants the frame's bytes all there; the pure-Python one
                        # (which joblib uses) reads what there is. Either way, walk on.
                    elif kind == 28:
                        # EMPTY_SET
                        stack.append(_Obj("set"))
                    elif kind == 29:
                        # LONG1, LONG4
                        if op == 0x8A:
                            size = buf[i]
                            i += 1
                        else:
                            (size,) = _I32.unpack_from(buf, i)
                            i += 4
                            if size < 0:
                                raise _Bad("LONG pickle has negative byte count")
                        r.pos = i
                        raw = r.take(size) if size <= _KEEP else b""
                        if size > _KEEP:
                            r.skip(size)
                        buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                        stack.append(int.from_bytes(raw, "little", signed=True) if raw else 0)
                    elif kind == 30:
                        # INT, LONG, FLOAT, STRING, UNICODE
                        r.pos = i
                        at = r.offset
                        line = r.line()
                        buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                        if frame_end >= 0 and at < frame_end < r.offset:
                            try:
                                value = _line_constant(self, op, line, pos, depth)
                            except _Bad:
                                alt = _after(line, at, frame_end)
                                value = _line_constant(self, op, alt, pos, depth)
                            stack.append(value)
                        else:
                            stack.append(_line_constant(self, op, line, pos, depth))
                    elif kind == 31:
                        # BINSTRING (signed 4), BINUNICODE8, BINBYTES8, BYTEARRAY8 (8)
                        if op == 0x54:
                            (size,) = _I32.unpack_from(buf, i)
                            i += 4
                            if size < 0:
                                raise _Bad("BINSTRING pickle has negative byte count")
                        else:
                            (size,) = _U64.unpack_from(buf, i)
                            i += 8
                        r.pos = i
                        text = op in (0x54, 0x8D)
                        value = self.big_constant(r, size, text, pos, depth)
                        buf, i, n, base = r.buf, r.pos, len(r.buf), r.base
                        if op == 0x54 and isinstance(value, bytes):
                            value = value.decode("latin-1")
                        stack.append(_Obj("buffer") if op == 0x96 else value)
                    elif kind == 32:
                        # OBJ
                        if not marks:
                            raise _Bad("could not find MARK")
                        at = marks.pop()
                        got = stack[at:]
                        del stack[at:]
                        fence = marks[-1] if marks else 0
                        if not got:
                            raise _Bad("unpickling stack underflow")
                        self.called(got[0], pos, depth)
                        stack.append(_Obj("call", got[0], tuple(got[1:])))
                    elif kind == 33:
                        # POP_MARK
                        if not marks:
                            raise _Bad("could not find MARK")
                        del stack[marks.pop() :]
                        fence = marks[-1] if marks else 0
                    elif kind == 34:
                        # DUP
                        if len(stack) <= fence:
                            raise _Bad("unpickling stack underflow")
                        stack.append(stack[-1])
                    elif kind == 35:
                        # EXT1, EXT2, EXT4
                        width = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                        code = int.from_bytes(buf[i : i + width], "little")
                        i += width
                        stack.append(
                            self.add_global("copyreg.extension", str(code), "EXT", pos, depth)
                        )
                    elif kind == 36:
                        # NEXT_BUFFER: only with buffers= given to the loader
                        stack.append(_Obj("buffer"))
                    elif kind == 37:
                        # READONLY_BUFFER
                        if len(stack) <= fence:
                            raise _Bad("unpickling stack underflow")
                    else:
                        raise _Bad(f"invalid load key, {bytes([op])!r}")
                if len(stack) > max_stack:
                    raise _Stop("the symbolic stack grew past its bound")
        except (struct.error, IndexError) as exc:
            raise _Short(f"pickle data was truncated ({exc})") from None
        finally:
            self.ops = ops
            if r.buf is buf and r.pos < i:
                r.pos = min(i, len(buf))

    def _add_items(self, target: Any, items: list[Any], pos: int, depth: int) -> None:
        """APPEND(S)/SETITEM(S)/ADDITEMS: into a container; on a global they change it."""
        if isinstance(target, _Glob):
            self.anomaly("mutates-global", f"{target.module}.{target.name}", pos, depth)
        elif isinstance(target, _Obj) and len(target.items) < 100_000:
            target.items.extend(items)

    def _storage(self, pid: Any) -> None:
        """Torch persistent ids: ('storage', StorageType, key, location, numel)."""
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            return
        _tag, stype, key, _loc, numel = pid[:5]
        if not isinstance(key, str | int):
            return
        type_name = f"{stype.module}.{stype.name}" if isinstance(stype, _Glob) else "unknown"
        count = numel if isinstance(numel, int) and not isinstance(numel, bool) else 0
        self.storages.setdefault(str(key), (type_name, count))


#: Opcode byte -> its branch in ``_Walk.run_one``, numbered by how often real pickles use it:
#: the common opcodes are reached in a few integer comparisons (a chain of ``op == ...``
#: tests cost up to eighty and made a walk ten times slower).
_KIND: tuple[int, ...] = (
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    3,
    9,
    38,
    38,
    38,
    38,
    25,
    38,
    23,
    33,
    34,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    2,
    2,
    38,
    38,
    30,
    7,
    38,
    30,
    6,
    4,
    30,
    5,
    12,
    38,
    24,
    24,
    15,
    30,
    31,
    2,
    30,
    38,
    2,
    38,
    38,
    38,
    38,
    11,
    38,
    38,
    38,
    21,
    17,
    16,
    22,
    14,
    38,
    1,
    1,
    16,
    1,
    38,
    22,
    38,
    38,
    32,
    0,
    0,
    0,
    21,
    18,
    14,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    10,
    38,
    38,
    26,
    20,
    35,
    35,
    35,
    8,
    8,
    8,
    13,
    13,
    29,
    29,
    2,
    31,
    31,
    28,
    14,
    22,
    20,
    19,
    0,
    27,
    31,
    36,
    37,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
    38,
)

_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct(">d")
_LINE_CONSTANTS = frozenset(b"ILFSV")


def _line_constant(walk: _Walk, op: int, line: bytes, pos: int, depth: int) -> Any:
    if len(line) < 2 and op in (0x49, 0x4C, 0x46):
        raise _Bad("pickle data was truncated")
    if op == 0x49:
        return parse_int_line(line)
    if op == 0x4C:
        return parse_long_line(line)
    if op == 0x46:
        return parse_float_line(line)
    if op == 0x53:
        value: Any = parse_string_line(line)
    else:
        try:
            value = codecs.raw_unicode_escape_decode(line[:-1])[0]
        except UnicodeDecodeError as exc:
            raise _Bad(f"bad UNICODE argument: {exc}") from None
    if len(value) >= 8 and not walk.sniff:
        walk.nested(value, pos, depth)
    return value


def _after(line: bytes, start: int, frame_end: int) -> bytes:
    """The part of a line read from ``start`` that lies after ``frame_end`` (the reading of a
    loader that drops the rest of a frame when a line runs out of it)."""
    return line[frame_end - start :] if start < frame_end else line


def _looks_nested(head: bytes) -> bool:
    if _PICKLE_START.match(head):
        return True
    if head[:2] == b"80" and _HEX.match(head):
        return True
    return head[:2] == b"gA" and len(head) > 2 and head[2] in _B64_PROTO


def _is_legacy_magic(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value == TORCH_LEGACY_MAGIC


def _value_key(v: Any) -> Any:
    """A comparable stand-in: constants by type and value, everything else by identity."""
    if isinstance(v, _CONSTANT_TYPES):
        return (type(v), v)
    return id(v)


def _state(stack: list[Any], marks: list[int], memo: dict[int, Any]) -> tuple[Any, ...]:
    top = tuple(_value_key(v) for v in stack[-8:])
    cells = tuple(sorted((k, _value_key(v)) for k, v in list(memo.items())[-8:]))
    return len(stack), top, tuple(marks[-4:]), len(marks), len(memo), cells


def _skip_periodic(
    walk: _Walk,
    r: _Reader,
    stack: list[Any],
    marks: list[int],
    memo: dict[int, Any],
    frame_end: int = -1,
) -> bool:
    """Step over a long run of one short unit repeated, when one more unit changes nothing.

    Generated filler (a PUT, or GET then POP, repeated millions of times) would otherwise cost
    a walk of every opcode. The unit is applied twice to the real state; if the state after
    the second equals the state after the first, every further repetition is a no-op and the
    run is stepped over by comparing bytes. Any unit outside the simple opcodes is left to the
    ordinary walk. True when the reader moved (units applied or skipped).
    """
    if not r.ensure(4096):
        return False
    buf, at = r.buf, r.pos
    if 0 <= frame_end < r.base + at + 4096:
        return False  # near a frame's end the ordinary walk checks every opcode against it
    for k in range(1, 17):
        unit = buf[at : at + k]
        if buf[at + k : at + 4096] != (unit * (4096 // k + 1))[: 4096 - k]:
            continue
        try:
            if not _run_unit(r, unit, stack, marks, memo):
                return False
            once = _state(stack, marks, memo)
            if not _run_unit(r, unit, stack, marks, memo):
                return True
            if _state(stack, marks, memo) != once:
                return True
        except _Bad:
            return r.pos != at  # the ordinary walk meets the same error at the same place
        reps = 0
        while r.ensure(k):
            whole = (len(r.buf) - r.pos) // k
            if frame_end >= 0:
                whole = min(whole, max(0, (frame_end - r.base - r.pos) // k))
                if whole == 0:
                    break
            if r.buf[r.pos : r.pos + whole * k] == unit * whole:
                r.pos += whole * k
                reps += whole
                continue
            while r.buf[r.pos : r.pos + k] == unit:
                r.pos += k
                reps += 1
            break
        walk.skipped_ops += reps * _unit_ops(unit)
        return True
    return False


def _unit_ops(unit: bytes) -> int:
    """Opcodes in a filler unit (arguments are not opcodes)."""
    count = j = 0
    while j < len(unit):
        j += 1 + _UNIT_OPS.get(unit[j], 0)
        count += 1
    return count


def _run_unit(
    r: _Reader, unit: bytes, stack: list[Any], marks: list[int], memo: dict[int, Any]
) -> bool:
    """Apply one filler unit to the real state, one opcode at a time (the reader moves past
    each). False, with nothing applied, unless the unit is a whole number of opcodes from the
    restricted set: constant pushes, POP, POP_MARK, MARK, DUP, PUT, GET. An opcode the
    unpickler would reject raises ``_Bad`` with the reader on it, so the ordinary walk meets
    the same error at the same byte."""
    j = 0
    while j < len(unit):
        width = _UNIT_OPS.get(unit[j])
        if width is None or j + 1 + width > len(unit):
            return False
        j += 1 + width
    j = 0
    while j < len(unit):
        op = unit[j]
        arg = unit[j + 1 : j + 1 + _UNIT_OPS[op]]
        fence = marks[-1] if marks else 0
        if op == 0x30:
            if marks and marks[-1] == len(stack):
                marks.pop()
            elif len(stack) <= fence:
                raise _Bad("underflow")
            else:
                stack.pop()
        elif op == 0x31:
            if not marks:
                raise _Bad("no mark")
            del stack[marks.pop() :]
        elif op == 0x28:
            marks.append(len(stack))
        elif op == 0x32:
            if len(stack) <= fence:
                raise _Bad("underflow")
            stack.append(stack[-1])
        elif op in (0x71, 0x72):
            if len(stack) <= fence:
                raise _Bad("underflow")
            memo[int.from_bytes(arg, "little")] = stack[-1]
        elif op in (0x68, 0x6A):
            idx = int.from_bytes(arg, "little")
            if idx not in memo:
                raise _Bad("memo")
            stack.append(memo[idx])
        else:
            stack.append(_UNIT_PUSH[op](arg))
        j += 1 + len(arg)
        r.pos += 1 + len(arg)
    return True


_UNIT_OPS = {
    0x4E: 0, 0x88: 0, 0x89: 0, 0x29: 0, 0x30: 0, 0x31: 0, 0x28: 0, 0x32: 0,
    0x5D: 0, 0x7D: 0, 0x8F: 0, 0x4B: 1, 0x4D: 2, 0x4A: 4, 0x47: 8,
    0x71: 1, 0x72: 4, 0x68: 1, 0x6A: 4,
}  # fmt: skip
_UNIT_PUSH: dict[int, Callable[[bytes], Any]] = {
    0x4E: lambda a: None,
    0x88: lambda a: True,
    0x89: lambda a: False,
    0x29: lambda a: (),
    0x4B: lambda a: a[0],
    0x4D: lambda a: int.from_bytes(a, "little"),
    0x4A: lambda a: int.from_bytes(a, "little", signed=True),
    0x47: lambda a: _F64.unpack(a)[0],
    0x5D: lambda a: _Obj("list"),
    0x7D: lambda a: _Obj("dict"),
    0x8F: lambda a: _Obj("set"),
}


@dataclass(slots=True)
class _StreamResult:
    pickles: int = 0
    completed: bool = False
    error: str | None = None
    trailing_error: str | None = None
    legacy: bool = False
    end: int = 0


def _itemsize(dtype: Any) -> int | None:
    """Bytes per element of a pickled ``numpy.dtype(descr, ...)`` call, when constant; 0 for a
    dtype holding Python objects (written as a pickle of its own)."""
    if not (isinstance(dtype, _Obj) and isinstance(dtype.args, tuple) and dtype.args):
        return None
    descr = dtype.args[0]
    state = dtype.state
    if isinstance(descr, str) and _object_descr(descr):
        return 0
    if isinstance(state, tuple) and len(state) > 7:
        flags = state[7]
        if isinstance(flags, int) and flags & 0x01:  # NPY_ITEM_HASOBJECT
            return 0
    if isinstance(state, tuple) and len(state) > 5:
        elsize = state[5]
        if isinstance(elsize, int) and not isinstance(elsize, bool) and elsize > 0:
            return elsize
    if not isinstance(descr, str):
        return None
    m = re.match(r"^[<>|=]?([a-zA-Z?])(\d*)$", descr)
    if not m:
        return None
    kind, digits = m.group(1), m.group(2)
    if kind == "?":
        return 1
    count = int(digits) if digits else 0
    return count * 4 if kind == "U" else count or None


def _object_descr(descr: str) -> bool:
    return descr.lstrip("<>|=").rstrip("0123456789") in ("O", "object", "object_")


def _is_array_wrapper(target: _Obj) -> bool:
    func = target.func
    return (
        isinstance(func, _Glob)
        and func.name == "NumpyArrayWrapper"
        and func.module.endswith("numpy_pickle")
    )


def _joblib_skip(walk: _Walk, target: _Obj, r: _Reader, depth: int) -> None:
    """Step over the raw array bytes joblib writes after a ``NumpyArrayWrapper`` BUILD."""
    state = target.state
    if not (isinstance(state, _Obj) and state.kind == "dict"):
        return
    fields: dict[str, Any] = {}
    for k, v in zip(state.items[::2], state.items[1::2], strict=False):
        if isinstance(k, str):
            fields[k] = v
    size = _itemsize(fields.get("dtype", _UNKNOWN))
    if size == 0:  # object arrays are written as a complete pickle of their own
        sub = walk.stream_on(r, depth, max_pickles=1)
        if sub.error:
            raise _Bad(f"object array pickle: {sub.error}")
        return
    shape = fields.get("shape")
    if size is None or not isinstance(shape, tuple):
        raise _Stop("joblib array with a shape or dtype the walk cannot size")
    count = 1
    for dim in shape:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 0:
            raise _Stop("joblib array with a shape the walk cannot size")
        count *= dim
    if "numpy_array_alignment_bytes" in fields:
        pad = r.take(1)
        r.skip(pad[0])
    r.skip(count * size)


def analyse(
    data: bytes | bytearray | memoryview,
    *,
    limits: Limits | None = None,
    max_pickles: int | None = None,
    joblib: bool = False,
) -> PickleAnalysis:
    """Walk every pickle in ``data``; see ``analyse_source``."""
    return analyse_source(
        BytesSource(data), limits=limits, max_pickles=max_pickles, joblib=joblib, first=len(data)
    )


def analyse_source(
    src: Source,
    *,
    limits: Limits | None = None,
    max_pickles: int | None = None,
    joblib: bool = False,
    first: int = FIRST_READ,
) -> PickleAnalysis:
    """Walk the pickles of a stream and report globals, anomalies, breaks and budgets.

    Never raises for bad input: a stream that breaks keeps everything seen before the break
    and sets ``malformed``; a budget (including one the source enforces by raising
    ``Incomplete``, such as a decompression limit) sets ``incomplete``.
    """
    walk = _Walk(limits or Limits(), joblib)
    res = _StreamResult()
    incomplete = None
    try:
        reader = _Reader(src, min(first, FIRST_READ), walk.limits.max_bytes)
        walk.stream_on(reader, 0, max_pickles=max_pickles, res=res)
    except Incomplete as stop:
        incomplete = str(stop)
    except RecursionError:
        res.error = res.error or "nesting too deep"
    malformed = res.error
    if res.pickles == 0 and not malformed and not incomplete and res.end == 0:
        malformed = "empty stream"
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
        skipped_ops=walk.skipped_ops,
        returned=plain(walk.result) if res.completed else None,
    )
