"""Markdown for a pull-request comment: summary, share by country, findings, inventory folded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from modeldeps.model import ScanResult
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.inventory import inventory_rows, more_places, sorted_findings
from modeldeps.report.redact import redact
from modeldeps.summary import summarize

#: Row caps keep a comment under GitHub's 65,536-character limit on large scans.
MAX_FINDING_ROWS = 100
MAX_INVENTORY_ROWS = 250


def cell(text: object) -> str:
    """``text`` safe inside a GFM table cell: one line, no pipes, no HTML."""
    out = redact(str(text)).replace("\r", " ").replace("\n", " ")
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("|", "\\|")


def code(text: object) -> str:
    """``text`` as an inline code span in a table cell (literal inside: only pipes escaped)."""
    raw = redact(str(text)).replace("\r", " ").replace("\n", " ").replace("`", "'")
    raw = raw.replace("|", "\\|")
    return f"`{raw}`" if raw else ""


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table; ``align`` has one letter per column, ``r`` for right-aligned."""
    marks = ["---:" if (align[i : i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _more(total: int, shown: int) -> list[str]:
    return ["", f"_…and {total - shown} more; see the full report._"] if total > shown else []


class MarkdownReporter(Reporter):
    """GitHub-flavoured Markdown, meant to be posted as a pull-request comment."""

    name: ClassVar[str] = "markdown"
    suffix: ClassVar[str] = ".md"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        s = summarize(result)
        refs = len(result.references)
        out = [f"## modeldeps: {s.models} models, {len(result.findings)} findings", ""]
        if s.findings_by_severity:
            counts = " · ".join(f"**{n}** {sev}" for sev, n in s.findings_by_severity)
            out.append(f"Findings: {counts}")
        else:
            out.append("No findings.")
        out += ["", f"{refs} references in {len(s.references_by_file)} files"]
        if result.artifacts:
            out[-1] += f", {len(result.artifacts)} model files"
        out[-1] += "."

        if s.by_country:
            lineage = {row.key: row.count for row in s.by_lineage_country}
            out += ["", "### Share by country", ""]
            out += table(
                ["Country", "Models", "Share", "Models with a base from here"],
                (
                    [cell(r.key), str(r.count), f"{r.share:.0%}", str(lineage.get(r.key, ""))]
                    for r in s.by_country
                ),
                "lrrr",
            )

        if result.findings:
            findings = sorted_findings(result.findings)
            out += ["", "### Findings", ""]
            out += table(
                ["Severity", "Rule", "Location", "Finding"],
                (
                    [
                        f.severity.value,
                        f.rule_id,
                        code(f.location) + more_places(f),
                        cell(f.message),
                    ]
                    for f in findings[:MAX_FINDING_ROWS]
                ),
            )
            out += _more(len(findings), MAX_FINDING_ROWS)

        rows = inventory_rows(result)
        if rows:
            out += ["", f"<details><summary>Inventory ({len(rows)})</summary>", ""]
            out += table(
                ["Kind", "Model", "Location", "Publisher", "Country", "License"],
                (
                    [
                        r.kind,
                        code(r.model),
                        code(r.location),
                        cell(r.publisher),
                        cell(r.country),
                        cell(r.license),
                    ]
                    for r in rows[:MAX_INVENTORY_ROWS]
                ),
            )
            out += _more(len(rows), MAX_INVENTORY_ROWS)
            out += ["", "</details>"]

        if s.by_publisher:
            out += ["", "<details><summary>Share by publisher</summary>", ""]
            out += table(
                ["Publisher", "Models", "Share"],
                ([cell(r.key), str(r.count), f"{r.share:.0%}"] for r in s.by_publisher),
                "lrr",
            )
            out += ["", "</details>"]

        if result.dependencies:
            deps = sorted(result.dependencies, key=lambda d: (d.ecosystem, d.name, d.location))
            out += ["", f"<details><summary>AI SDKs and runtimes ({len(deps)})</summary>", ""]
            out += table(
                ["Ecosystem", "Package", "Version", "File"],
                ([d.ecosystem, code(d.name), cell(d.specifier), code(d.location)] for d in deps),
            )
            out += ["", "</details>"]

        if result.skipped:
            skipped = sorted(result.skipped, key=lambda k: (k.location, k.reason))
            out += ["", f"<details><summary>Not analysed ({len(skipped)})</summary>", ""]
            out += table(
                ["Location", "Stage", "Reason"],
                ([code(k.location), k.stage.value, cell(k.reason)] for k in skipped),
            )
            out += ["", "</details>"]

        kb = f" · knowledge base {cell(result.kb_version)}" if result.kb_version else ""
        when = "" if options.reproducible else f" · {cell(result.started_at)}"
        out += ["", f"<sub>modeldeps {cell(result.tool_version)}{kb}{when}</sub>", ""]
        return "\n".join(out)
