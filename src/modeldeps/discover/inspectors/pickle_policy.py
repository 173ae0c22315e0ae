"""Grades what a pickle imports: allowlisted, dangerous by class (MD201) or unknown (MD202)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from modeldeps.discover.inspectors.pickle_ops import PickleAnalysis
from modeldeps.discover.inspectors.support import finding
from modeldeps.errors import InspectorError
from modeldeps.model import Finding, Severity

# Danger classes by dotted prefix. A prefix matches the whole name or a name continuing with
# ".": "os" matches os.system and os.path.join. Alias modules are listed beside their public
# names (posix/nt for os, _posixsubprocess, __builtin__ for builtins, _operator, _io, _pickle).
_DANGER: dict[str, str] = {}
for _cls, _names in {
    "process": (
        "os posix nt subprocess _posixsubprocess pty commands popen2 multiprocessing "
        "asyncio.subprocess asyncio.unix_events asyncio.windows_events asyncio.base_subprocess "
        "_aix_support _osx_support uuid._get_command_stdout platform.popen platform._syscmd_file "
        "pydoc.pipepager pydoc.tempfilepager pydoc.pager _pyrepl.pager signal sys "
        "ctypes _ctypes cffi pip ensurepip venv distutils.spawn setuptools "
        "torch.utils.collect_env torch.utils.bottleneck torch._inductor torch.utils.cpp_extension"
    ),
    "exec": (
        "builtins.eval builtins.exec builtins.compile builtins.execfile builtins.breakpoint "
        "builtins.globals builtins.locals builtins.vars builtins.input builtins.help "
        "__builtin__.eval __builtin__.exec __builtin__.compile __builtin__.execfile "
        "__builtin__.globals __builtin__.locals __builtin__.vars __builtin__.input "
        "runpy code codeop timeit cProfile profile trace bdb pdb doctest idlelib lib2to3 "
        "marshal types.FunctionType types.CodeType types.MethodType types.LambdaType "
        "pickle _pickle dill cloudpickle shelve joblib.load torch.load torch.serialization.load "
        "torch.jit torch._dynamo torch.fx numpy.load numpy.testing numpy.f2py numpy.distutils "
        "test.support functools.reduce _functools.reduce copyreg.add_extension "
        "torch.utils.data.datapipes torch.utils._config_module jinja2 mako"
    ),
    "import": (
        "builtins.__import__ __builtin__.__import__ builtins.getattr __builtin__.getattr "
        "builtins.setattr __builtin__.setattr builtins.delattr __builtin__.delattr "
        "importlib _imp _frozen_importlib _frozen_importlib_external imp pkgutil zipimport "
        "pydoc.locate operator.attrgetter operator.methodcaller _operator.attrgetter "
        "_operator.methodcaller builtins.object.__getattribute__ sys.modules inspect"
    ),
    "network": (
        "socket _socket ssl http httplib urllib urllib2 urllib3 requests aiohttp httpx "
        "webbrowser ftplib smtplib telnetlib imaplib poplib nntplib xmlrpc asyncio.streams "
        "asyncio.open_connection socketserver paramiko"
    ),
    "filesystem": (
        "builtins.open __builtin__.open __builtin__.file io.open io.FileIO _io.FileIO "
        "_io.open shutil tempfile pathlib.Path.write_text pathlib.Path.write_bytes "
        "pathlib.Path.unlink pathlib.Path.open logging.FileHandler logging.handlers "
        "distutils.file_util distutils.dir_util glob fileinput zipfile tarfile mmap "
        "dbm sqlite3"
    ),
}.items():
    for _n in _names.split():
        _DANGER[_n] = _cls

# Final attribute names that run code whatever module they come from (after attribute walks).
_DANGER_LEAF = {
    "system": "process",
    "popen": "process",
    "spawn": "process",
    "execv": "process",
    "execve": "process",
    "eval": "exec",
    "exec": "exec",
    "execfile": "exec",
    "runcode": "exec",
    "runsource": "exec",
    "run_code": "exec",
    "_run_code": "exec",
    "__import__": "import",
    "import_module": "import",
}


@lru_cache(maxsize=1)
def allowlist() -> frozenset[str]:
    """The bundled allowlist (``data/pickle_allowlist.yaml``) as exact dotted names."""
    text = resources.files(__package__).joinpath("data/pickle_allowlist.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise InspectorError("pickle allowlist: expected a mapping with a 'groups' list")
    names: set[str] = set()
    for group in data["groups"]:
        if not (isinstance(group, dict) and group.get("why") and group.get("source")):
            raise InspectorError("pickle allowlist: every group needs 'why' and 'source'")
        names.update(str(g) for g in group.get("globals", ()))
    return frozenset(names)


def danger_class(module: str, name: str) -> str | None:
    """The danger class of a global, or None when it is not known to be dangerous.

    The module path is matched by prefix; a dotted name is an attribute walk, so every point
    inside it is checked too (``torch`` + ``serialization.os.system`` is caught by ``os``).
    """
    mparts = module.split(".") if module else []
    parts = [*mparts, *name.split(".")]
    starts = [0, *range(max(len(mparts), 1), len(parts))]
    for start in starts:
        for end in range(len(parts), start, -1):
            hit = _DANGER.get(".".join(parts[start:end]))
            if hit:
                return hit
    return _DANGER_LEAF.get(parts[-1])


def grade(
    module: str, name: str, *, extra_allowed: tuple[str, ...] = ()
) -> tuple[Severity, str] | None:
    """Severity and class of a global, or None when it is allowlisted."""
    qualname = f"{module}.{name}"
    if qualname in allowlist():  # exact names only, so checking it first cannot hide a walk
        return None
    cls = danger_class(module, name)
    if cls:
        return Severity.CRITICAL, cls
    if extra_allowed and qualname.startswith(extra_allowed):
        return None
    return Severity.MEDIUM, "unknown"


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
            # A pickle hidden in another pickle's data that imports anything is smuggling.
            sev = Severity.HIGH if ref.depth else sev
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
        }.get(anomaly.kind, anomaly.detail)
        out[("MD201", f"{anomaly.kind}@{anomaly.offset}")] = _finding(
            "MD201",
            Severity.CRITICAL,
            f"pickle{at} {detail} (byte {anomaly.offset}); no ordinary checkpoint does this",
            rel,
            f"{where}:{anomaly.kind}" if where else anomaly.kind,
        )
    problem = analysis.malformed or analysis.incomplete
    if problem:
        kind = "malformed" if analysis.malformed else "not fully analysed"
        out[("MD210", kind)] = _finding(
            "MD210",
            Severity.LOW,
            f"pickle stream{at} is {kind}: {problem}; what came before was still checked",
            rel,
            f"{where}:{kind}" if where else kind,
        )
    return tuple(out.values())
