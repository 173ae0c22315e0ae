"""The `kb` command group (registered by cli/app.py): show, search and stats over the KB."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from modeldeps.model import Identity, Location, ModelReference, RefKind

_FORMAT = typer.Option("table", "--format", help="Output format: table or json.")
_KB = typer.Option(None, "--kb", help="Overlay YAML with your own KB facts (repeatable).")


def _resolver(kb: list[Path] | None) -> Any:
    from modeldeps.resolve import Resolver

    return Resolver.create(overlays=tuple(kb or ()))


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        raise typer.BadParameter("expected table or json", param_hint="--format")
    return fmt


#: Prefixes of the id forms a scan prints, and the reference kind each names.
_PREFIXED = (
    ("ollama:", RefKind.OLLAMA_MODEL),
    ("hf://", RefKind.HUB_MODEL),
    ("hf:", RefKind.HUB_MODEL),
    ("https://huggingface.co/", RefKind.HUB_MODEL),
    ("huggingface.co/", RefKind.HUB_MODEL),
)


def reference_for(value: str, kb: Any) -> ModelReference:
    """The reference an id names, in any form the scan prints: ``ollama:name:tag``,
    ``hf://org/name``, ``provider:model`` (``openai:gpt-4o``), a Hub id, a host or URL, an
    Ollama tag or an API model name."""
    v = value.strip()
    for prefix, kind in _PREFIXED:
        if v.lower().startswith(prefix):
            return ModelReference(kind, v[len(prefix) :], Location("<cli>"), "cli")
    head, sep, _rest = v.partition(":")
    if sep and "/" not in head and (kb.publisher(head.lower()) or head.lower() in _PROVIDERS):
        return ModelReference(RefKind.API_MODEL, v, Location("<cli>"), "cli")
    return ModelReference(_kind(v), v, Location("<cli>"), "cli")


_PROVIDERS = frozenset({"gemini", "vertex", "azure", "bedrock", "groq", "openrouter"})


def _kind(value: str) -> RefKind:
    """Guess what an unprefixed id names: host, Ollama tag, Hub id or API model name."""
    if "://" in value or (value.count(".") >= 2 and "/" not in value and ":" not in value):
        return RefKind.ENDPOINT
    if value.count("/") == 1 and not value.startswith("hf.co/"):
        return RefKind.HUB_MODEL
    if ":" in value or value.startswith("hf.co/"):
        return RefKind.OLLAMA_MODEL
    return RefKind.API_MODEL


def identity_dict(ident: Identity) -> dict[str, Any]:
    """The JSON shape of an identity used in every report."""
    d = asdict(ident)
    d["country"] = ident.country
    return d


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def _full_name(pid: str | None, kb: Any) -> list[str]:
    """The publisher's legal or long name, when the KB records one beside the display name."""
    rec = kb.publisher(pid) if pid else None
    return [f"full name:   {rec.full_name}"] if rec is not None and rec.full_name else []


def _identity_lines(ident: Identity, kb: Any) -> list[str]:
    pub = ident.publisher
    lines = [
        f"id:          {ident.canonical_id}",
        f"family:      {ident.family or 'unknown'}",
        f"publisher:   {f'{pub.name} [{pub.id}] ({pub.country})' if pub else 'unknown'}",
        *_full_name(pub.id if pub else None, kb),
        f"licenses:    {', '.join(ident.licenses) or 'unknown'}"
        + (f" (confidence {lc.value})" if (lc := ident.license_confidence) else ""),
        f"open weights: {_yes_no(ident.open_weights)}",
    ]
    if ident.uploader:
        lines.append(f"uploader:    {ident.uploader} (re-uploader; not used for country)")
    for edge in ident.lineage:
        who = (
            kb.publisher(edge.publisher).name
            if edge.publisher and kb.publisher(edge.publisher)
            else "unknown"
        )
        lines.append(
            f"built on:    {edge.base} [{edge.relation}] by {who} ({edge.country or 'unknown'})"
        )
    lines.append(f"lineage countries: {', '.join(ident.lineage_countries) or '-'}")
    for lic_id in ident.licenses:
        lic = kb.license(lic_id)
        if lic:
            extra = f"; {'; '.join(lic.restrictions)}" if lic.restrictions else ""
            lines.append(f"license {lic.id}: commercial {lic.commercial}{extra}")
    lines.append(f"decided by:  {ident.decided_by} (confidence {ident.confidence.value})")
    for ev in ident.evidence:
        lines.append(
            f"  - [{ev.source}/{ev.rule}] {ev.detail}"
            + (f" <{ev.citation}>" if ev.citation else "")
        )
    return lines


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    kb_app = typer.Typer(help="Query the provenance knowledge base.", no_args_is_help=True)

    @kb_app.command("show")
    def show(
        model_id: str = typer.Argument(
            ..., metavar="ID", help="Hub id, API model, Ollama tag or host."
        ),
        fmt: str = _FORMAT,
        kb: list[Path] = _KB,
    ) -> None:
        """What is known about ID and why: publisher, country, licences, lineage, sources."""
        _check_format(fmt)
        r = _resolver(kb)
        ident = r.resolve_reference(reference_for(model_id, r.kb))
        if fmt == "json":
            typer.echo(
                json.dumps({"kb_version": r.kb_version, "identity": identity_dict(ident)}, indent=2)
            )
        else:
            typer.echo("\n".join(_identity_lines(ident, r.kb)))

    @kb_app.command("search")
    def search(text: str = typer.Argument(...), fmt: str = _FORMAT, kb: list[Path] = _KB) -> None:
        """Publishers, families, models, API models, hosts and licences matching TEXT."""
        _check_format(fmt)
        r = _resolver(kb)
        rows = r.kb.search(text)
        if not rows:  # an id as the scan prints it: say what it resolves to
            ident = r.resolve_reference(reference_for(text, r.kb))
            if ident.known:
                pub = ident.publisher
                who = f"by {pub.name} ({pub.country})" if pub else f"family {ident.family}"
                rows = [("resolved", ident.canonical_id or text, f"{who}; {ident.decided_by}")]
        if not rows:
            if fmt == "json":
                typer.echo("[]")
            else:
                typer.echo(f"no match for {text!r} in the knowledge base")
            return
        if fmt == "json":
            typer.echo(
                json.dumps([{"kind": k, "id": i, "summary": s} for k, i, s in rows], indent=2)
            )
        else:
            for k, i, s in rows:
                typer.echo(f"{k:<10} {i:<45} {s}")

    @kb_app.command("stats")
    def stats(fmt: str = _FORMAT, kb: list[Path] = _KB) -> None:
        """Coverage of the KB by country and publisher type."""
        _check_format(fmt)
        base = _resolver(kb).kb
        by_country = Counter(p.country for p in base.publishers.values())
        by_type = Counter(p.type for p in base.publishers.values())
        data = {
            "kb_version": base.kb_version,
            "counts": {
                "publishers": len(base.publishers),
                "families": len(base.families),
                "licenses": len(base.licenses),
                "models": len(base.models),
                "api_models": len(base.api_models),
                "endpoints": len(base.endpoints),
                "reuploaders": len(base.reuploaders),
                "ollama": len(base.ollama),
            },
            "publishers_by_country": dict(by_country.most_common()),
            "publishers_by_type": dict(by_type.most_common()),
        }
        if fmt == "json":
            typer.echo(json.dumps(data, indent=2))
            return
        typer.echo(f"knowledge base {data['kb_version']}")
        for k, v in data["counts"].items():
            typer.echo(f"  {k:<12} {v}")
        typer.echo("publishers by country:")
        for c, n in by_country.most_common():
            typer.echo(f"  {c:<8} {n}")
        typer.echo("publishers by type:")
        for t, n in by_type.most_common():
            typer.echo(f"  {t:<28} {n}")

    app.add_typer(kb_app, name="kb")
