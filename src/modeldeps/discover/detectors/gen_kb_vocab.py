"""Generate ``kb_vocab.py``: the recognizer's copy of the knowledge base's names, hosts and orgs.

Run ``python -m modeldeps.discover.detectors.gen_kb_vocab`` after changing ``resolve/data/*.yaml``;
``tests/discover/detectors/test_kb_vocab.py`` fails while the committed module differs from what
this generator writes. The copy exists so that a scan that never resolves (and every detector
worker) reads the names from one byte-compiled module instead of loading and validating the KB.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from modeldeps.resolve.kb import KnowledgeBase
from modeldeps.resolve.sources.bundled import load_kb

TARGET = Path(__file__).with_name("kb_vocab.py")

#: Single words that name a publisher or family but are too common to mean one in code.
_NOT_PRODUCT_WORDS = frozenset({"ai", "lab", "labs", "research", "team", "the", "inc", "open"})


def _q(text: str) -> str:
    """A Python string literal (JSON's escapes are valid Python for these ASCII-safe strings)."""
    return json.dumps(text, ensure_ascii=True)


def _line(text: str) -> str:
    return text if len(text) <= 100 else text + "  # noqa: E501"


def _mapping(name: str, doc: str, items: Mapping[str, str]) -> list[str]:
    out = [f"#: {doc}", f"{name}: dict[str, str] = {{"]
    out += [_line(f"    {_q(k)}: {_q(v)},") for k, v in sorted(items.items())]
    return [*out, "}", ""]


def _set(name: str, doc: str, items: Iterable[str]) -> list[str]:
    out = [f"#: {doc}", f"{name}: frozenset[str] = frozenset(", "    {"]
    out += [_line(f"        {_q(v)},") for v in sorted(set(items))]
    return [*out, "    }", ")", ""]


def _pairs(name: str, doc: str, items: Iterable[tuple[str, str]]) -> list[str]:
    out = [f"#: {doc}", f"{name}: tuple[tuple[str, str], ...] = ("]
    for a, b in items:
        line = f"    ({_q(a)}, {_q(b)}),"
        if len(line) <= 100:
            out.append(line)
        else:  # the layout ruff's formatter gives a long pair
            out += ["    (", f"        {_q(a)},", f"        {_q(b)},", "    ),"]
    return [*out, ")", ""]


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9.\-]+", text.lower()) if w]


def render(kb: KnowledgeBase) -> str:
    """The module text for ``kb`` (deterministic: sorted, one entry per line)."""
    orgs: dict[str, str] = {}
    for pub in kb.publishers.values():
        for org in pub.hub_orgs:
            orgs.setdefault(org.lower(), pub.id)
    reuploaders = {r.org.lower(): r.relation for r in kb.reuploaders.values()}
    hub_ids = {m.id.lower() for m in kb.models.values()}
    for entry in kb.ollama.values():
        hub_ids.add(entry.base.lower())
        hub_ids.update(v.lower() for v in entry.tags.values())
    for hub_id in list(hub_ids):
        org = hub_id.split("/", 1)[0]
        if org not in orgs and org not in reuploaders:
            model = kb.model(hub_id)
            if model is not None:
                orgs[org] = model.publisher
    api_exact = {a.id: a.publisher for a in kb.api_models if a.id}
    api_patterns = [(a.pattern, a.publisher) for a in kb.api_models if a.pattern]
    ollama = {o.name.lower(): o.publisher for o in kb.ollama.values()}
    families = [(p, f.id) for f in kb.families.values() for p in f.name_patterns]
    words: set[str] = set()
    for pub in kb.publishers.values():
        if pub.type == "api-operator":
            continue  # an operator known only by its API host: its name is no product word
        words.add(pub.id.lower())
        words.update(_words(pub.name.split(" (")[0]))
    for fam in kb.families.values():
        words.add(fam.id.lower())
        words.update(_words(fam.name))
    words.update(a.family.lower() for a in kb.api_models if a.family)
    words = {w for w in words if len(w) >= 2 and w not in _NOT_PRODUCT_WORDS}
    hosts = [(e.host.lower(), " ".join((e.operator, e.kind, *e.flags))) for e in kb.endpoints]
    lines = [
        '"""Names, orgs and hosts of the knowledge base, for the recognizer. GENERATED.',
        "",
        "Do not edit: run ``python -m modeldeps.discover.detectors.gen_kb_vocab``. A test fails",
        "while this file differs from what the generator writes from ``resolve/data/*.yaml``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"KB_VERSION = {_q(kb.kb_version)}",
        "",
        *_mapping("HUB_ORGS", "Hub organization (lower case) -> publisher id.", orgs),
        *_mapping(
            "REUPLOADER_ORGS", "Re-uploader or quantizer org (lower case) -> relation.", reuploaders
        ),
        *_set("KNOWN_HUB_IDS", "Hub ids the KB names (lower case).", hub_ids),
        *_mapping("API_MODELS", "Closed-API model id as written -> publisher id.", api_exact),
        *_pairs("API_PATTERNS", "(regex, publisher id) of API model names.", api_patterns),
        *_mapping("OLLAMA_NAMES", "Ollama library name -> publisher id.", ollama),
        *_pairs("FAMILY_PATTERNS", "(regex, family id) over model names.", families),
        *_set("PRODUCT_WORDS", "Publisher and family words that alone name no model.", words),
        *_pairs("ENDPOINT_HOSTS", "(host or glob, 'operator kind flags') of APIs.", hosts),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the module (``--check``: exit 1 when the committed module is stale)."""
    args = sys.argv[1:] if argv is None else argv
    text = render(load_kb())
    if "--check" in args:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.name} is stale: run python -m {__spec__.name}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
