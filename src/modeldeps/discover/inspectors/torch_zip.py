"""PyTorch checkpoints: zip (pickle members only), TorchScript, legacy stacked pickles, 7z fakes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from modeldeps.discover.inspectors.archive import (
    EMPTY_ZIP_MAGIC,
    SEVEN_ZIP_MAGIC,
    ZIP_MAGIC,
    CountingFile,
    Member,
    list_members,
    read_member,
    sevenzip_first_stream,
    unsafe_member_path,
)
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.pickle_ops import (
    TORCH_LEGACY_MAGIC,
    PickleAnalysis,
    analyse,
    looks_like_pickle,
    pickle_starts,
    plausible_pickle,
)
from modeldeps.discover.inspectors.pickles import (
    HEAD_BYTES,
    artifact,
    pickle_format_finding,
    unrecognized,
    walk_growing,
)
from modeldeps.discover.inspectors.support import finding
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Severity

TORCH_SUFFIXES = frozenset({".pt", ".pth", ".bin", ".ckpt", ".pkl", ".tar", ".mar"})
_LEGACY_HEAD = b"\x80\x02\x8a\x0a" + TORCH_LEGACY_MAGIC.to_bytes(10, "little")
# Tensor storages (never read) and small bookkeeping records of a torch.save zip.
_STORAGE = re.compile(r"(^|/)data/\d+$")
_BOOKKEEPING = re.compile(
    r"(^|/)(\.data/.*|\.format_version|\.storage_alignment|byteorder|version)$"
)
_TS_SUSPICIOUS = re.compile(
    rb"__import__|\bos\.|subprocess|\beval\(|\bexec\(|builtins|torch\.ops\.(?!aten|prim|quantized)"
    rb"|load_library|open\("
)
_NOT_OURS = frozenset({".keras", ".npz"})
_SNIFF_MEMBER = 64
#: TorchScript source read in all, over every code member (real models have a few MB).
_TS_BUDGET = 64 * 1024 * 1024


class TorchInspector(Inspector):
    """``torch.save`` zips and TorchScript archives, the legacy format, and look-alike archives."""

    name: ClassVar[str] = "pytorch"
    suffixes: ClassVar[frozenset[str]] = TORCH_SUFFIXES | frozenset({".zip"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        suffix = Path(ctx.rel).suffix.lower()
        if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            return suffix not in _NOT_OURS
        if head.startswith(SEVEN_ZIP_MAGIC) or head.startswith(_LEGACY_HEAD):
            return True
        return suffix in TORCH_SUFFIXES and looks_like_pickle(head)

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        with ctx.open() as fh:
            head = fh.read(min(HEAD_BYTES, ctx.size))
            if head.startswith(SEVEN_ZIP_MAGIC):
                return self._sevenzip(ctx, fh)
            if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
                return self._zip(ctx, fh)
            return self._legacy(ctx, fh, head)

    # -- legacy: magic, protocol, sys info, the object, storage keys; then raw storages ------
    def _legacy(self, ctx: InspectContext, fh: CountingFile, head: bytes) -> ArtifactInfo:
        # Sniff before reading on: a random or foreign .bin stops here, after its head.
        if not head.startswith(_LEGACY_HEAD) and not plausible_pickle(head):
            return unrecognized(ctx, fh.bytes_read, "a PyTorch checkpoint")
        a, cut = walk_growing(fh, head, ctx.max_pickle_bytes, joblib=False)
        fmt = "pytorch-legacy" if a.legacy_torch else "pickle"
        extra = [pickle_format_finding(ctx, fmt, "safetensors")]
        if cut:
            extra.append(
                _finding(
                    ctx,
                    "MD209",
                    Severity.MEDIUM,
                    f"pickle stream is larger than the {ctx.max_pickle_bytes}-byte analysis "
                    "limit; the rest was not checked",
                    "size-limit",
                )
            )
        return artifact(ctx, fmt, [("", a)], bytes_read=fh.bytes_read, extra=extra)

    # -- zip --------------------------------------------------------------------------------
    def _zip(self, ctx: InspectContext, fh: CountingFile) -> ArtifactInfo:
        members, note = list_members(fh, ctx.size)
        extra: list[Finding] = []
        if note:
            extra.append(_finding(ctx, "MD210", Severity.LOW, note, "cd"))
        names = [m.name for m in members]
        is_torch = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
        code = [m for m in members if re.search(r"(^|/)code/", m.name)]
        analyses: list[tuple[str, PickleAnalysis]] = []
        skipped_encrypted = over_budget = 0
        budget = ctx.max_pickle_bytes
        for m in members:
            if unsafe_member_path(m.name):
                extra.append(
                    _finding(
                        ctx,
                        "MD208",
                        Severity.HIGH,
                        f"member {m.name!r} has an absolute or '..' path",
                        m.name,
                    )
                )
            if _STORAGE.search(m.name) or _BOOKKEEPING.search(m.name) or m.name.endswith("/"):
                continue
            if not self._wants(fh, m):
                if m.encrypted:
                    skipped_encrypted += 1
                continue
            # One budget for all pickle members: a zip of a thousand big pickles is not read whole.
            if budget <= 0:
                over_budget += 1
                continue
            try:
                data = read_member(fh, m, budget)
            except InspectorError as exc:
                extra.append(_finding(ctx, "MD210", Severity.LOW, str(exc), m.name))
                continue
            budget -= len(data)
            analyses.append((m.name, analyse(data, joblib=True)))
        if over_budget:
            extra.append(
                _finding(
                    ctx,
                    "MD209",
                    Severity.MEDIUM,
                    f"{over_budget} pickle member(s) past the {ctx.max_pickle_bytes}-byte "
                    "analysis budget were not checked",
                    "size-limit",
                )
            )
        if skipped_encrypted:
            extra.append(
                _finding(
                    ctx,
                    "MD209",
                    Severity.INFO,
                    f"{skipped_encrypted} encrypted member(s) could not be read",
                    "encrypted",
                )
            )
        meta: dict[str, Any] = {"members": len(members)}
        fmt = "pytorch-zip" if is_torch else "zip"
        if code:
            fmt = "torchscript"
            extra.append(self._torchscript(ctx, fh, code))
        if is_torch:
            extra.append(pickle_format_finding(ctx, fmt, "safetensors"))
        allowed = ("__torch__.",) if code else ()
        return artifact(
            ctx,
            fmt,
            analyses,
            bytes_read=fh.bytes_read,
            extra=extra,
            metadata=meta,
            extra_allowed=allowed,
        )

    def _wants(self, fh: CountingFile, m: Member) -> bool:
        """Pickle members by name; any other member only if its first bytes are a pickle."""
        if m.name.endswith((".pkl", ".pickle")) and not m.encrypted:
            return True
        try:
            return looks_like_pickle(read_member(fh, m, _SNIFF_MEMBER))
        except InspectorError:
            return False

    def _torchscript(self, ctx: InspectContext, fh: CountingFile, code: list[Member]) -> Finding:
        """TorchScript code runs in its own interpreter; flag it, louder if it reaches out."""
        hits: set[str] = set()
        budget = _TS_BUDGET
        for m in code[:500]:
            if budget <= 0:
                break
            try:
                text = read_member(fh, m, min(4 * 1024 * 1024, budget))
            except InspectorError:
                continue
            budget -= len(text)
            hits.update(x.decode("latin-1") for x in _TS_SUSPICIOUS.findall(text))
        if hits:
            return _finding(
                ctx,
                "MD209",
                Severity.HIGH,
                f"TorchScript code reaches outside tensor ops: {sorted(hits)}",
                "torchscript",
            )
        return _finding(
            ctx,
            "MD209",
            Severity.LOW,
            f"TorchScript archive with {len(code)} code member(s); the code only "
            "uses tensor ops but is not verified",
            "torchscript",
        )

    # -- 7z posing as a checkpoint (nullifAI) ---------------------------------------------
    def _sevenzip(self, ctx: InspectContext, fh: CountingFile) -> ArtifactInfo:
        extra = [
            _finding(
                ctx,
                "MD209",
                Severity.HIGH,
                "7z archive where a model file is expected: a known way to hide a pickle "
                "from scanners",
                "7z",
            )
        ]
        analyses: list[tuple[str, PickleAnalysis]] = []
        try:
            blob = sevenzip_first_stream(fh, ctx.size, ctx.max_pickle_bytes)
        except InspectorError as exc:
            blob = b""
            extra.append(_finding(ctx, "MD210", Severity.LOW, str(exc), "7z"))
        for start in pickle_starts(blob):
            analyses.append((f"7z@{start}", analyse(blob[start:], max_pickles=1, joblib=True)))
        return artifact(ctx, "7z", analyses, bytes_read=fh.bytes_read, extra=extra)


def _finding(ctx: InspectContext, rule: str, sev: Severity, msg: str, subject: str) -> Finding:
    return finding(rule, sev, msg, ctx.rel, subject=subject)
