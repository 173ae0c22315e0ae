"""SQL, PowerShell, Terraform/HCL and any other text file: string literals, lexically.

These languages are read by the lexical extractor with their own quoting, comments, assignments
and named parameters; every other text file that no detector reads (and that is not prose or
data) gets a generic pass over its quoted strings, in which only what the recognizer accepts
from the string and its near context is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.detectors.lexical import Syntax, c_like_decode, extract
from modeldeps.discover.detectors.recognizer import prefilter_words, references
from modeldeps.errors import DetectorError
from modeldeps.model import Dependency, ModelReference

MAX_TEXT_BYTES = 1024 * 1024


def _hash_comment(tok: str) -> tuple[int, str] | None:
    body = tok.lstrip("#/-*<!")
    return len(tok) - len(body), body


def _sql_decode(tok: str) -> str | None:
    if tok.startswith("'"):
        return tok[1:-1].replace("''", "'")
    return c_like_decode(tok)


SQL = Syntax(
    name="sql",
    token=re.compile(r"(?P<s>'(?:[^'\n]|'')*')|(?P<c>--[^\n]*|/\*[\s\S]*?\*/)"),
    decode=_sql_decode,
    assign=re.compile(r"(?i)\b([A-Za-z_][\w.]*)\s*(?:=|:=)\s*$"),
    keyword=re.compile(r"(?i)(?:^|[\s,(])([A-Za-z_][\w.]*)\s*(?:=|=>)\s*$"),
    compare=re.compile(r"(?i)(?:([\w.\]\[\"]+)\s*(?:=|<>|!=|\blike)\s*$)"),
    owner=re.compile(r"(?i)(?:insert\s+into|update|table)\s+([\w.\"`]+)[^;]*?$"),
    comment_body=_hash_comment,
    comment_starts=("--", "/*"),
)

POWERSHELL = Syntax(
    name="powershell",
    token=re.compile(
        r"(?P<t>@\"[\s\S]*?\n\"@|@'[\s\S]*?\n'@)"
        r"|(?P<s>\"(?:[^\"`\n]|`.)*\"|'(?:[^'\n]|'')*')"
        r"|(?P<c>#[^\n]*|<#[\s\S]*?#>)"
    ),
    decode=lambda tok: None if tok.startswith("@") else tok[1:-1].replace("`", ""),
    assign=re.compile(r"(?i)(?:^|[;\s(])\$(?:env:|script:|global:)?([A-Za-z_][\w]*)\s*=\s*$"),
    keyword=re.compile(
        r"(?:^|[\s,({;])(?:-([A-Za-z][\w]*)\s*:?|\$?([A-Za-z_][\w]*)\s*=|[\"']?([A-Za-z_][\w\-]*)[\"']?\s*:)\s*$"
    ),
    compare=re.compile(r"(?i)(?:(\$?[\w.]+)\s*-(?:eq|ne|like|ieq|ceq)\s*$)"),
    owner=re.compile(r"(?i)\$([A-Za-z_][\w]*)\s*=\s*@?$"),
    comment_body=_hash_comment,
    defs=frozenset({"function", "param"}),
    command=re.compile(r"[ \t]*(?:\$\w+\s*=\s*)?([A-Za-z]+-[A-Za-z]+|iwr|irm|curl|wget)\b"),
    comment_starts=("#", "<#"),
    multiline_starts=('@"', "@'"),
)

HCL = Syntax(
    name="hcl",
    token=re.compile(
        r"(?P<t><<-?\s*(?P<tag>\w+)\n[\s\S]*?\n\s*(?P=tag)\b)"
        r"|(?P<s>\"(?:[^\"\\\n]|\\.)*\")"
        r"|(?P<c>#[^\n]*|//[^\n]*|/\*[\s\S]*?\*/)"
    ),
    decode=lambda tok: None if tok.startswith("<<") else c_like_decode(tok),
    assign=re.compile(r"(?:^|\s)([A-Za-z_][\w\-]*)\s*=\s*$"),
    keyword=re.compile(r"(?:^|[\s,({])[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*(?:=|:)\s*$"),
    compare=re.compile(r"(?:([\w.\]\[\"]+)\s*(?:==|!=)\s*$)"),
    owner=re.compile(
        r"(?:[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*=\s*$)|(?:\w+\s+\"([\w\-]+)\"\s*(?:\"[\w\-]+\"\s*)?$)"
    ),
    comment_body=_hash_comment,
    comment_starts=("#", "//", "/*"),
    multiline_starts=("<<",),
)

GENERIC = Syntax(
    name="text",
    token=re.compile(
        r"(?P<s>\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')"
        r"|(?P<c>(?:^|(?<=\s))(?:#|//)[^\n]*)",
        re.MULTILINE,
    ),
    decode=c_like_decode,
    assign=re.compile(r"(?:^|[;\s(])\$?([A-Za-z_][\w.\-]*)\s*(?::\s*[^=\n]{1,60}?)?\s*[:=]=?\s*$"),
    keyword=re.compile(r"(?:^|[\s,({])[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*(?:=>|(?<![=!<>])=|:)\s*$"),
    compare=re.compile(r"(?:([\w.\]\[\"')$]+)\s*(?:===?|!==?|\beq\b|\bne\b)\s*$)"),
    owner=re.compile(
        r"[\"']?\$?([A-Za-z_][\w.\-]*)[\"']?\s*(?::\s*[^=\n]{0,60}?)?\s*(?:=>|[=:])\s*$"
    ),
    comment_body=_hash_comment,
)

#: Suffix -> syntax for the languages read here by name.
SYNTAXES: dict[str, Syntax] = {
    ".sql": SQL, ".ps1": POWERSHELL, ".psm1": POWERSHELL, ".psd1": POWERSHELL,
    ".tf": HCL, ".tfvars": HCL, ".hcl": HCL, ".tftpl": HCL, ".nomad": HCL,
}  # fmt: skip

#: Files other detectors read, and prose or data that holds no references by the labelling
#: rules (Markdown, text, CSV, lockfiles, logs, SVG and other markup of documents).
_NOT_GENERIC = (
    ".py", ".pyw", ".pyi", ".ipynb", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts",
    ".tsx", ".go", ".java", ".kt", ".kts", ".cs", ".rs", ".yaml", ".yml", ".json", ".jsonc",
    ".json5", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env", ".sh", ".bash", ".zsh",
    ".mk", ".http", ".rest", ".dockerfile", ".modelfile", ".md", ".mdx", ".markdown", ".rst",
    ".txt", ".text", ".adoc", ".tex", ".csv", ".tsv", ".jsonl", ".ndjson", ".lock", ".log",
    ".svg", ".xml", ".html", ".htm", ".css", ".scss", ".less", ".map", ".pem", ".crt", ".key",
    ".pub", ".sum", ".mod", ".gitignore", ".dockerignore", ".gitattributes", ".editorconfig",
    ".license", ".bib", ".po", ".pot", ".srt", ".vtt", ".diff", ".patch", ".out", ".err",
)  # fmt: skip
_NOT_GENERIC_NAMES = frozenset(
    {"Dockerfile", "Containerfile", "Makefile", "makefile", "GNUmakefile", "Procfile",
     "Modelfile", "LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "CHANGELOG",
     "CODEOWNERS", "requirements.txt", "go.sum", "go.mod", "Pipfile", "Gemfile.lock"}
)  # fmt: skip


class TextDetector(Detector):
    """SQL, PowerShell, Terraform/HCL by their syntax; other text by a generic string pass."""

    name: ClassVar[str] = "text"
    keywords: ClassVar[tuple[bytes, ...]] = prefilter_words() or ()
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        lower = name.lower()
        if name in _NOT_GENERIC_NAMES or lower.startswith((".env", "license", "readme")):
            return False
        if "." not in name.lstrip("."):
            return False  # no extension: scripts are read by the infrastructure detector
        if lower.endswith(tuple(SYNTAXES)):
            return True
        return not any(lower.endswith(s) or f"{s}." in lower for s in _NOT_GENERIC)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > MAX_TEXT_BYTES:
            raise DetectorError(f"{source.rel}: text larger than {MAX_TEXT_BYTES} bytes, not read")
        lower = source.name.lower()
        syntax = next((s for suffix, s in SYNTAXES.items() if lower.endswith(suffix)), GENERIC)
        return references(source, extract(syntax, source.text), self.name)
