"""Grades what a pickle imports: allowlisted (silent), known primitive (MD201) or anything else
(MD202, high): an allowlist, not a deny list."""

from __future__ import annotations

import _compat_pickle  # the unpickler's own Python 2 name table (data only)
import re
from functools import lru_cache
from importlib import resources

from modeldeps import safeyaml
from modeldeps.discover.inspectors.pickle_ops import PickleAnalysis
from modeldeps.discover.inspectors.support import finding
from modeldeps.errors import InspectorError
from modeldeps.model import Finding, Severity

# Known code-execution and file-write primitives, by class and dotted prefix. A prefix matches
# the whole name or a name continuing with ".": "os" matches os.system and os.path.join.
# Anything reached that is not on the allowlist is reported anyway (MD202, high); this table
# only decides which of those are called out as critical and how they are described. Alias
# modules stand beside their public names (posix/nt for os, _posixsubprocess, __builtin__ and
# cPickle through the unpickler's own Python 2 table, _operator, _io, _pickle).
_DANGER: dict[str, str] = {}
for _cls, _names in {
    "process": (
        "os posix nt subprocess _posixsubprocess pty commands popen2 multiprocessing "
        "asyncio.subprocess asyncio.unix_events asyncio.windows_events asyncio.base_subprocess "
        "_aix_support _osx_support uuid._get_command_stdout platform.popen platform._syscmd_file "
        "pydoc.pipepager pydoc.tempfilepager pydoc.pager _pyrepl.pager signal sys "
        "ctypes _ctypes cffi pip ensurepip venv distutils.spawn setuptools webbrowser "
        "torch.utils.collect_env torch.utils.bottleneck torch._inductor torch.utils.cpp_extension"
    ),
    "exec": (
        "builtins.eval builtins.exec builtins.compile builtins.execfile builtins.breakpoint "
        "builtins.globals builtins.locals builtins.vars builtins.input builtins.help "
        "runpy code codeop timeit cProfile profile trace bdb pdb doctest idlelib lib2to3 "
        "marshal types.FunctionType types.CodeType types.MethodType types.LambdaType "
        "pickle _pickle dill cloudpickle shelve joblib.load torch.load torch.serialization.load "
        "torch.jit torch._dynamo torch.fx numpy.load numpy.testing numpy.f2py numpy.distutils "
        "test.support functools.reduce _functools.reduce copyreg.add_extension "
        "torch.utils.data.datapipes torch.utils._config_module jinja2 mako "
        "typing._eval_type typing.ForwardRef typing.get_type_hints typing._type_check "
        "logging.config string.Template._substitute operator.call"
    ),
    "import": (
        "builtins.__import__ builtins.getattr builtins.setattr builtins.delattr "
        "importlib _imp _frozen_importlib _frozen_importlib_external imp pkgutil zipimport "
        "pydoc.locate operator.attrgetter operator.methodcaller _operator.attrgetter "
        "_operator.methodcaller builtins.object.__getattribute__ sys.modules inspect"
    ),
    "network": (
        "socket _socket ssl http httplib urllib urllib2 urllib3 requests aiohttp httpx "
        "ftplib smtplib telnetlib imaplib poplib nntplib xmlrpc asyncio.streams "
        "asyncio.open_connection socketserver paramiko"
    ),
    "filesystem": (
        "builtins.open builtins.file io.open io.FileIO _io.FileIO _io.open codecs.open "
        "shutil tempfile pathlib.Path.write_text pathlib.Path.write_bytes pathlib.Path.unlink "
        "pathlib.Path.open logging.FileHandler logging.handlers distutils.file_util "
        "distutils.dir_util glob fileinput zipfile tarfile mmap dbm sqlite3 "
        "numpy.save numpy.savez numpy.savez_compressed numpy.savetxt numpy.lib.npyio "
        "numpy.ndarray.tofile numpy.ndarray.dump numpy.memmap numpy.lib.format"
    ),
}.items():
    for _n in _names.split():
        _DANGER[_n] = _cls

# Final attribute names that run code or write files whatever object they are reached from.
_DANGER_LEAF: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), cls)
    for pattern, cls in (
        (r"^(?:system|popen\d?|spawn\w*|exec[lv]\w*|fork\w*|posix_spawn\w*|startfile)$", "process"),
        (r"^(?:kill\w*|putenv|unsetenv)$", "process"),
        (
            r"^(?:eval|exec|execfile|compile|runcode|runsource|run_code|_run_code|run_module)$",
            "exec",
        ),
        (r"^(?:run_path|dictConfig|fileConfig|_eval_type|_evaluate|get_type_hints)$", "exec"),
        (r"^(?:__import__|import_module|load_module|exec_module)$", "import"),
        (r"^(?:write_text|write_bytes|savetxt|tofile|unlink|remove|rmdir|rmtree)$", "filesystem"),
        (r"^(?:rename|symlink|chmod|chown)$", "filesystem"),
    )
)
# Dunder attributes walk from any object to its class, globals, code or builtins.
_DUNDER = re.compile(r"^__\w+__$")
_DUNDER_SAFE = frozenset({"__newobj__", "__newobj_ex__", "__init__", "__main__"})


def fix_imports(module: str, name: str) -> tuple[str, str] | None:
    """The Python 3 name the unpickler imports for a Python 2 one (protocols 0-2, the default
    ``fix_imports=True``), or None when it is unchanged."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, name)]
        return mapped
    if module in _compat_pickle.IMPORT_MAPPING:
        return _compat_pickle.IMPORT_MAPPING[module], name
    return None


@lru_cache(maxsize=1)
def allowlist() -> frozenset[str]:
    """The bundled allowlist (``data/pickle_allowlist.yaml``) as exact dotted names."""
    text = resources.files(__package__).joinpath("data/pickle_allowlist.yaml").read_text("utf-8")
    data = safeyaml.load(text)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise InspectorError("pickle allowlist: expected a mapping with a 'groups' list")
    names: set[str] = set()
    for group in data["groups"]:
        if not (isinstance(group, dict) and group.get("why") and group.get("source")):
            raise InspectorError("pickle allowlist: every group needs 'why' and 'source'")
        names.update(str(g) for g in group.get("globals", ()))
    return frozenset(names)


def danger_class(module: str, name: str) -> str | None:
    """The danger class of a global, or None when it is not a known primitive.

    The module path is matched by prefix; a dotted name is an attribute walk, so every point
    inside it is checked too (``torch`` + ``serialization.os.system`` is caught by ``os``,
    ``argparse`` + ``_os.spawnlp`` by the private alias ``_os``). A walk through a dunder
    (``__getattribute__``, ``__globals__``) or ending in a known primitive's name
    (``write_text``, ``spawnlp``) is dangerous whatever it starts from. Python 2 names are
    also read as the unpickler's ``fix_imports`` maps them (``cPickle`` is ``pickle``).
    """
    mapped = fix_imports(module, name)
    if mapped is not None and mapped != (module, name):
        hit = _danger_of(*mapped)
        if hit:
            return hit
    return _danger_of(module, name)


def _danger_of(module: str, name: str) -> str | None:
    mparts = module.split(".") if module else []
    parts = [*mparts, *name.split(".")]
    starts = [0, *range(max(len(mparts), 1), len(parts))]
    for start in starts:
        for end in range(len(parts), start, -1):
            hit = _DANGER.get(".".join(parts[start:end]))
            if hit:
                return hit
    for pattern, cls in _DANGER_LEAF:
        if pattern.match(parts[-1]):
            return cls
    for i, part in enumerate(parts):
        # A private alias of a dangerous module (argparse._os, shutil._os, tempfile._os).
        bare = part.lstrip("_")
        if bare != part and _DANGER.get(bare) in ("process", "network", "filesystem"):
            return _DANGER[bare]
        # A dunder in the attribute walk (a module named like one, __builtin__, is a module).
        if i >= len(mparts) and _DUNDER.match(part) and part not in _DUNDER_SAFE:
            return "import"
    return None


def allowed(module: str, name: str, extra_allowed: tuple[str, ...] = ()) -> bool:
    """Whether a global is on the allowlist (exact names, or as ``fix_imports`` maps them)."""
    names = allowlist()
    if f"{module}.{name}" in names:
        return True
    mapped = fix_imports(module, name)
    if mapped is not None and f"{mapped[0]}.{mapped[1]}" in names:
        return True
    return bool(extra_allowed) and f"{module}.{name}".startswith(extra_allowed)


def grade(
    module: str, name: str, *, extra_allowed: tuple[str, ...] = ()
) -> tuple[Severity, str] | None:
    """Severity and class of a global: None when allowlisted, critical for a known code
    execution or file-write primitive, high for anything else (it is imported and may be
    called, and nothing vouches for it)."""
    if allowed(module, name, extra_allowed):
        # Exact names only, so an allowed prefix never hides an attribute walk past it.
        return None
    cls = danger_class(module, name)
    if cls:
        return Severity.CRITICAL, cls
    return Severity.HIGH, "unknown"


def _finding(rule: str, sev: Severity, msg: str, rel: str, subject: str) -> Finding:
    return finding(rule, sev, msg, rel, subject=subject)


def findings_for(
    analysis: PickleAnalysis,
    rel: str,
    *,
    where: str = "",
    extra_allowed: tuple[str, ...] = (),
) -> tuple[Finding, ...]:
    """Findings for one analysed stream; ``where`` names the archive member, if any."""
    at = f" in {where}" if where else ""
    out: dict[tuple[str, str], Finding] = {}
    for ref in analysis.globals:
        graded = grade(ref.module, ref.name, extra_allowed=extra_allowed)
        if graded is None:
            continue
        sev, cls = graded
        nested = f" (inside a pickle nested {ref.depth} level(s) deep)" if ref.depth else ""
        how = "calls" if ref.called else "imports"
        if sev is Severity.CRITICAL:
            key = ("MD201", ref.qualname)
            f = _finding(
                "MD201",
                sev,
                f"pickle{at} {how} {ref.qualname} ({cls}) via {ref.opcode} at byte "
                f"{ref.offset}{nested}; loading it runs that code",
                rel,
                f"{where}:{ref.qualname}" if where else ref.qualname,
            )
        else:
            key = ("MD202", ref.qualname)
            f = _finding(
                "MD202",
                sev,
                f"pickle{at} {how} {ref.qualname} via {ref.opcode} at byte {ref.offset}{nested}",
                rel,
                f"{where}:{ref.qualname}" if where else ref.qualname,
            )
        old = out.get(key)
        if old is None or old.severity.rank < f.severity.rank:
            out[key] = f
    for anomaly in analysis.anomalies:
        if anomaly.kind == "nested-pickle":
            continue  # reported through the globals it imports, if any
        detail = {
            "dynamic-import": "imports a global whose name is computed at load time",
            "build-on-global": f"sets attributes on the imported global {anomaly.detail}",
            "mutates-global": f"changes the imported global {anomaly.detail} in place",
        }.get(anomaly.kind, anomaly.detail)
        # Calling a value built while loading is odd but needs a callable from somewhere;
        # every other anomaly is a technique, not an accident.
        sev = Severity.HIGH if anomaly.kind == "call-computed" else Severity.CRITICAL
        rule = "MD202" if sev is Severity.HIGH else "MD201"
        out[(rule, f"{anomaly.kind}@{anomaly.offset}")] = _finding(
            rule,
            sev,
            f"pickle{at} {detail} (byte {anomaly.offset}); no ordinary checkpoint does this",
            rel,
            f"{where}:{anomaly.kind}" if where else anomaly.kind,
        )
    if analysis.incomplete:
        # Fail closed: what the walk did not reach may run when the file is loaded.
        out[("MD209", "incomplete")] = _finding(
            "MD209",
            Severity.HIGH,
            f"pickle stream{at} could not be analysed to its end ({analysis.incomplete}); "
            "whatever comes after that point would run unchecked when the file is loaded",
            rel,
            f"{where}:incomplete" if where else "incomplete",
        )
    if analysis.malformed:
        # The loader stops at the same byte, so nothing after the break runs.
        out[("MD210", "malformed")] = _finding(
            "MD210",
            Severity.LOW,
            f"pickle stream{at} is malformed: {analysis.malformed}; everything before the "
            "break was checked, and a loader stops there too",
            rel,
            f"{where}:malformed" if where else "malformed",
        )
    return tuple(out.values())
