"""Closed-API models found by ``modeldeps scan`` (its JSON report), joined to usage figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modeldeps.errors import InputError
from modeldeps.usage import ModelUsage

MAX_REPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScannedModel:
    """An API model the scan saw, and where."""

    model: str
    provider: str | None
    where: str


def read_scan_report(path: Path) -> tuple[ScannedModel, ...]:
    """API-model references in a scan report (``references`` with ``kind == "api_model"``)."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise InputError("scan report is too large", file=name)
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=name) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    refs = data.get("references") if isinstance(data, dict) else None
    if not isinstance(refs, list):
        raise InputError("not a modeldeps scan report (no 'references' list)", file=name)
    found: dict[tuple[str, str | None], ScannedModel] = {}
    for i, ref in enumerate(refs):
        if not isinstance(ref, dict) or not isinstance(ref.get("value"), str):
            raise InputError(f"reference #{i + 1} has no string 'value'", file=name)
        if ref.get("kind") != "api_model":
            continue
        ctx_raw, loc_raw = ref.get("context"), ref.get("location")
        ctx: dict[str, Any] = ctx_raw if isinstance(ctx_raw, dict) else {}
        loc: dict[str, Any] = loc_raw if isinstance(loc_raw, dict) else {}
        provider = ctx.get("provider") if isinstance(ctx.get("provider"), str) else None
        where = str(loc.get("path", "?")) + (f":{loc['line']}" if loc.get("line") else "")
        key = (ref["value"].lower(), provider)
        found.setdefault(key, ScannedModel(ref["value"], provider, where))
    return tuple(found.values())


def usage_template(models: Sequence[ScannedModel]) -> str:
    """A usage file (TOML) listing ``models`` with zero figures, for the user to fill in."""
    lines = [
        "# Monthly usage of the closed-API models found by `modeldeps scan`.",
        "# Fill in the figures (per request unless the key starts with monthly_), then run",
        "# `modeldeps cost --usage THIS_FILE`.",
    ]
    for m in sorted(models, key=lambda m: (m.provider or "", m.model.lower())):
        lines += ["", "[[models]]", f"model = {json.dumps(m.model)}  # {m.where}"]
        if m.provider:
            lines.append(f"provider = {json.dumps(m.provider)}")
        lines += ["requests = 0", "input_tokens = 0", "output_tokens = 0"]
    return "\n".join(lines) + "\n"


def join(
    scanned: Sequence[ScannedModel], usages: Sequence[ModelUsage]
) -> tuple[tuple[ModelUsage, ...], tuple[str, ...]]:
    """Usage for each scanned model (matched by name), and a note for each without usage."""
    by_name: dict[str, ModelUsage] = {u.model.lower(): u for u in usages}
    out: list[ModelUsage] = []
    missing: list[str] = []
    for m in scanned:
        u = by_name.get(m.model.lower())
        if u is None:
            missing.append(
                f"{m.model} (found at {m.where}) has no usage figures; add it to the usage file"
            )
        else:
            out.append(u)
    return tuple(out), tuple(missing)
