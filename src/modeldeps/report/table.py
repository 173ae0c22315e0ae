"""Terminal report (Rich): inventory, share by country and publisher, findings by severity."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from modeldeps.model import SEVERITY_ORDER, ScanResult, Severity
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.inventory import findings_by_path, sorted_findings
from modeldeps.report.redact import redact
from modeldeps.report.units import human_count, human_size
from modeldeps.summary import Summary, summarize
from modeldeps.textsafe import terminal

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "bold yellow",
    Severity.LOW: "bold cyan",
    Severity.INFO: "bold",
}


def _headline(result: ScanResult, summary: Summary) -> str:
    """One line first: how many models, where they come from, how many findings of each kind."""
    counts = ", ".join(f"{n} {sev}" for sev, n in summary.findings_by_severity)
    findings = f"{len(result.findings)} findings" + (f" ({counts})" if counts else "")
    top = ", ".join(f"{row.key} {row.share:.0%}" for row in summary.by_country[:3])
    origin = f" — by country: {top}" if top else ""
    return f"{summary.models} models in {len(result.references)} references{origin}; {findings}."


def _identity_cells(ref_identity: object) -> tuple[str, str, str]:
    from modeldeps.model import Identity

    if not isinstance(ref_identity, Identity) or ref_identity.publisher is None:
        return ("?", "unknown", "")
    ident = ref_identity
    assert ident.publisher is not None
    lineage = ", ".join(sorted(set(ident.lineage_countries) - {ident.publisher.country}))
    country = ident.publisher.country + (f" (base: {lineage})" if lineage else "")
    return (ident.publisher.name, country, ", ".join(ident.licenses))


class SafeTable(Table):
    """A Rich table whose cells are always literal, escaped text.

    Scanned content fills the cells: Rich markup in it is escaped, and terminal control
    sequences, line breaks and bidi overrides are shown as escapes (``textsafe.terminal``)
    so that no name can clear the screen, split a row or reorder what is shown.
    """

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [escape(terminal(c)) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


class TableReporter(Reporter):
    """Human-readable report for a terminal."""

    name: ClassVar[str] = "table"
    suffix: ClassVar[str] = ".txt"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        buf = io.StringIO()
        console = Console(
            file=buf,
            width=options.width,
            force_terminal=options.color,
            color_system=None if not options.color else "auto",
            highlight=False,
            soft_wrap=False,
        )
        summary = summarize(result)
        # The long inventory first; risks and the headline last, where the terminal stops.
        inv = SafeTable(title=f"Model references ({len(result.references)})", title_justify="left")
        for col in ("kind", "model", "location", "publisher", "country", "license", "via"):
            inv.add_column(col, overflow="fold")
        for ref in sorted(result.references, key=lambda r: r.sort_key()):
            pub, country, lic = _identity_cells(ref.identity)
            via = str(ref.context.get("loader") or ref.context.get("key") or ref.detector)
            cells = (redact(ref.value), str(ref.location), pub, country, lic, via)
            inv.add_row(ref.kind.value, *cells)
        console.print(inv)

        if result.artifacts:
            arts = SafeTable(title=f"Model files ({len(result.artifacts)})", title_justify="left")
            for col in ("file", "format", "size", "params", "dtype", "family", "findings"):
                arts.add_column(col, overflow="fold")
            on_file = findings_by_path(result)
            for art in sorted(result.artifacts, key=lambda a: a.location):
                fam = art.identity.family if art.identity and art.identity.family else ""
                # The assessed findings (after policy), not the inspector's originals.
                mine = on_file.get(art.location.path, [])
                worst = max((f.severity for f in mine), key=lambda s: s.rank, default=None)
                arts.add_row(
                    art.location.path,
                    art.format,
                    human_size(art.size_bytes),
                    human_count(art.params),
                    art.dtype or "",
                    fam,
                    f"{len(mine)} ({worst.value})" if worst else "",
                )
            console.print(arts)

        kinds = SafeTable(title="References by kind", title_justify="left")
        kinds.add_column("kind")
        kinds.add_column("count", justify="right")
        for kind, n in summary.references_by_kind:
            kinds.add_row(kind, str(n))
        console.print(kinds)

        files = SafeTable(title="References by file", title_justify="left")
        files.add_column("file", overflow="fold")
        files.add_column("count", justify="right")
        for path, n in summary.references_by_file:
            files.add_row(path, str(n))
        console.print(files)

        if result.dependencies:
            deps = SafeTable(title="AI SDKs and runtimes declared", title_justify="left")
            for col in ("ecosystem", "package", "version", "file"):
                deps.add_column(col, overflow="fold")
            for d in sorted(result.dependencies, key=lambda d: (d.location, d.name)):
                deps.add_row(d.ecosystem, d.name, d.specifier, str(d.location))
            console.print(deps)

        if result.skipped:
            sk = SafeTable(title=f"Skipped ({len(result.skipped)})", title_justify="left")
            for col in ("location", "stage", "reason"):
                sk.add_column(col, overflow="fold")
            for s in sorted(result.skipped, key=lambda s: (s.location, s.reason)):
                sk.add_row(str(s.location), s.stage.value, s.reason)
            console.print(sk)

        if summary.models:
            share = SafeTable(
                title=f"Share by country ({summary.models} models)", title_justify="left"
            )
            share.add_column("country")
            share.add_column("models", justify="right")
            share.add_column("share", justify="right")
            share.add_column("models with a base from here", justify="right")
            lineage = {s.key: s.count for s in summary.by_lineage_country}
            for row in summary.by_country:
                share.add_row(
                    row.key, str(row.count), f"{row.share:.0%}", str(lineage.get(row.key, ""))
                )
            console.print(share)
            pubs = SafeTable(title="Share by publisher", title_justify="left")
            pubs.add_column("publisher")
            pubs.add_column("models", justify="right")
            pubs.add_column("share", justify="right")
            for row in summary.by_publisher:
                pubs.add_row(row.key, str(row.count), f"{row.share:.0%}")
            console.print(pubs)

        if result.findings:
            for sev in SEVERITY_ORDER:
                group = sorted_findings(tuple(f for f in result.findings if f.severity is sev))
                if not group:
                    continue
                t = SafeTable(
                    title=f"{sev.value.upper()} findings ({len(group)})",
                    title_justify="left",
                    title_style=_SEVERITY_STYLE[sev],
                )
                for col in ("rule", "location", "places", "finding"):
                    t.add_column(
                        col, overflow="fold", justify="right" if col == "places" else "left"
                    )
                for f in group:
                    # Messages name policy tables such as [allow]: literal text, not Rich markup.
                    text = f"{redact(f.title)}: {redact(f.message)}"
                    t.add_row(f.rule_id, str(f.location), str(len(f.places)), text)
                console.print(t)
        else:
            console.print("No findings.")

        st = result.stats
        tail = (
            f"{st.files_seen} files: {st.files_parsed} parsed, {st.files_cached} from cache, "
            f"{st.files_inspected} model files inspected, {st.files_unmatched} with nothing to "
            f"analyse, {st.files_skipped} skipped"
        )
        if not options.reproducible:
            tail += f", {st.duration_s:.2f} s"
        kb = f", knowledge base {result.kb_version}" if result.kb_version else ""
        console.print(escape(terminal(f"Scanned {tail}{kb}.")))
        console.print(escape(terminal(_headline(result, summary))), style="bold")
        return buf.getvalue()
