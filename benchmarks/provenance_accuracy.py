"""Provenance accuracy on the labelled artifact corpus: family, publisher, country, CN lineage.

Runs three resolvers over every labelled artifact (model folders, native configs, GGUF files,
damaged GGUF copies, chat templates) and prints their accuracy side by side, then every miss of
the full resolver:

- ``full``: the resolver as shipped (folder names such as ``org__name`` count as a signal);
- ``signals-only``: the same, ignoring folder names (file contents only);
- ``org-baseline``: what a name lookup alone gives: the folder's org looked up in the KB.

    python benchmarks/provenance_accuracy.py [--corpus PATH] [--ids FILE]

First, by model id: publisher, country, licence, base model and open weights of every id in
``--ids`` (default benchmarks/data/provenance_ids.yaml, expected answers taken from each model's
card or provider page, never from the KB), against the resolver's answers, and how many wrong
answers carried "high" confidence (the target is none).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from modeldeps.model import ArtifactInfo, Identity, Location
from modeldeps.resolve import Resolver
from modeldeps.resolve.sources.artifact import repo_id_from_path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
_STOP = {"ai", "the", "inc", "labs", "team", "and", "incl", "for", "co", "ltd", "research"}


@dataclass(frozen=True)
class Unit:
    key: str
    path: Path
    kind: str
    family: str
    publisher: str
    country: str
    base_country: str


@dataclass
class Score:
    n: int = 0
    family: int = 0
    publisher: int = 0
    country: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    crashes: int = 0


def load_units(root: Path) -> list[Unit]:
    units: dict[str, Unit] = {}
    with (root / "labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parts = row["file"].split("/")
            key = "/".join(parts[:2])  # hf/<dir>, native/<dir>, gguf/<file>, chat-templates/<file>
            if key in units:
                continue
            kind = {"hf": "dir", "native": "dir", "chat-templates": "template"}.get(
                parts[0], "gguf"
            )
            units[key] = Unit(
                key,
                root / key,
                kind,
                row["family"],
                row["publisher"],
                row["country"],
                row["base_country"],
            )
    return list(units.values())


def resolve(r: Resolver, u: Unit, use_names: bool) -> Identity:
    if u.kind == "dir":
        return r.resolve_model_dir(u.path, use_path_name=use_names)
    if u.kind == "template":
        text = u.path.read_text(encoding="utf-8", errors="replace")
        info = ArtifactInfo(
            Location(u.key), "chat-template", len(text), metadata={"tokenizer.chat_template": text}
        )
        return r.resolve_artifact(info)
    return r.resolve_artifact(_gguf_info(u), u.path)


def _gguf_info(u: Unit) -> ArtifactInfo:
    """What a scan hands the resolver: the GGUF inspector's ArtifactInfo."""
    from modeldeps.discover.inspectors import inspect_file

    return inspect_file(u.path, u.key, u.path.parent)


def baseline(r: Resolver, u: Unit) -> Identity:
    rid = repo_id_from_path(u.path) if u.kind == "dir" else None
    pub = r.kb.publisher_for_org(rid.split("/")[0]) if rid else None
    if pub is None:
        return Identity()
    from modeldeps.resolve.identity import pref

    return Identity(publisher=pref(pub), decided_by="org")


def family_ok(r: Resolver, label: str, fid: str | None) -> bool:
    fam = r.kb.family(fid) if fid else None
    if fam is None:
        return False
    low = label.lower()
    return (
        fam.id in low
        or fam.name.split(" ")[0].lower() in low
        or any(re.search(p, label) for p in fam.name_patterns)
    )


def publisher_ok(r: Resolver, label: str, country: str, ident: Identity) -> bool:
    if ident.publisher is None:
        return country == "unknown"
    rec = r.kb.publisher(ident.publisher.id)
    names = f"{ident.publisher.name} {rec.full_name if rec and rec.full_name else ''}"
    words = {w for w in re.findall(r"[a-z0-9]+", names.lower()) if len(w) > 2}
    return bool((words - _STOP) & set(re.findall(r"[a-z0-9]+", label.lower())))


def score(
    units: list[Unit], r: Resolver, fn: Callable[[Unit], Identity], misses: list[str] | None
) -> Score:
    s = Score()
    for u in units:
        s.n += 1
        try:
            ident = fn(u)
        except Exception as exc:  # a crash is a result to report, not a reason to stop
            s.crashes += 1
            ident = Identity()
            if misses is not None:
                misses.append(f"CRASH {u.key}: {type(exc).__name__}: {exc}")
        f_ok = family_ok(r, u.family, ident.family)
        p_ok = publisher_ok(r, u.publisher, u.country, ident)
        c_ok = ident.country == u.country
        truth = "CN" in (u.country, u.base_country)
        pred = ident.country == "CN" or "CN" in ident.lineage_countries
        s.family += f_ok
        s.publisher += p_ok
        s.country += c_ok
        s.tp += truth and pred
        s.fp += pred and not truth
        s.fn += truth and not pred
        if misses is not None and not (f_ok and p_ok and c_ok and truth == pred):
            what = [
                n
                for n, ok in (
                    ("family", f_ok),
                    ("publisher", p_ok),
                    ("country", c_ok),
                    ("cn-lineage", truth == pred),
                )
                if not ok
            ]
            misses.append(
                f"{u.key}: missed {', '.join(what)} | label {u.family!r} / {u.publisher!r} / "
                f"{u.country} (base {u.base_country or '-'}) | got {ident.family} / "
                f"{ident.publisher.id if ident.publisher else None} / {ident.country} "
                f"lineage {','.join(ident.lineage_countries) or '-'} [{ident.decided_by}]"
            )
    return s


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f} %" if b else "  n/a"


DEFAULT_IDS = Path(__file__).resolve().parent / "data" / "provenance_ids.yaml"


def _variant(r: Resolver, licence: object) -> str | None:
    """The KB's record for the same licence text when a clause depends on the model being
    multimodal (the card says ``llama3.2``; a Vision model resolves to its multimodal record)."""
    rec = r.kb.license(str(licence)) if licence else None
    return rec.multimodal_variant if rec else None


def score_ids(path: Path, r: Resolver) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Accuracy by field over the id list, and the misses (a high-confidence miss is marked)."""
    from modeldeps import safeyaml
    from modeldeps.model import Confidence, ModelReference, RefKind

    rows = safeyaml.load(path.read_text(encoding="utf-8"))["models"]
    fields = ("publisher", "country", "license", "base", "open_weights")
    counts = {f: [0, 0] for f in fields}
    misses: list[str] = []
    for row in rows:
        value = str(row["id"])
        if value.startswith("ollama:"):
            kind, value = RefKind.OLLAMA_MODEL, value.removeprefix("ollama:")
        else:
            kind = RefKind.HUB_MODEL if "/" in value else RefKind.API_MODEL
        ident = r.resolve_reference(ModelReference(kind, value, Location("bench"), "bench"))
        got = {
            "publisher": ident.publisher.id if ident.publisher else None,
            "country": ident.country,
            "license": ident.licenses[0] if ident.licenses else None,
            "base": ident.lineage[0].base if ident.lineage else None,
            "open_weights": ident.open_weights,
        }
        conf = {
            "license": ident.license_confidence,
            "base": ident.confidence,
        }
        for f in fields:
            if f == "base" and row.get("base") is None and got["base"] is None:
                counts[f][0] += 1
                counts[f][1] += 1
                continue
            counts[f][1] += 1
            want = row.get(f)
            if f == "base":
                ok = str(got[f] or "").lower() == str(want or "").lower()
            elif f == "license":
                ok = got[f] == want or _variant(r, want) == got[f]
            else:
                ok = got[f] == want
            if ok:
                counts[f][0] += 1
            else:
                c = conf.get(f, ident.confidence)
                high = " HIGH-CONFIDENCE" if c is Confidence.HIGH else ""
                misses.append(f"{row['id']}: {f} {got[f]!r} != {want!r}{high}")
    return {f: (c[0], c[1]) for f, c in counts.items()}, misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="corpus root holding artifacts/ (default: ../shared/corpus)",
    )
    ap.add_argument("--ids", type=Path, default=DEFAULT_IDS, help="model id list with answers")
    args = ap.parse_args(argv)
    by_field, id_misses = score_ids(args.ids, Resolver.create())
    print(f"provenance accuracy by model id over {args.ids.name}")
    for f, (ok, n) in by_field.items():
        print(f"  {f:<14}{ok:>4}/{n:<4}{pct(ok, n)}")
    high = sum("HIGH-CONFIDENCE" in m for m in id_misses)
    print(f"  wrong answers with high confidence: {high}")
    for m in id_misses:
        print(f"  miss: {m}")
    root = args.corpus / "artifacts"
    if not (root / "labels.csv").is_file():
        print(f"no labels.csv under {root}: artifact corpus skipped", file=sys.stderr)
        return 0
    units = load_units(root)
    t0 = time.perf_counter()
    r = Resolver.create()
    load_s = time.perf_counter() - t0
    misses: list[str] = []
    decided: dict[str, int] = {}

    def full_fn(u: Unit) -> Identity:
        ident = resolve(r, u, True)
        decided[ident.decided_by] = decided.get(ident.decided_by, 0) + 1
        return ident

    t1 = time.perf_counter()
    full = score(units, r, full_fn, misses)
    full_s = time.perf_counter() - t1
    sig_misses: list[str] = []
    sig = score(units, r, lambda u: resolve(r, u, False), sig_misses)
    base = score(units, r, lambda u: baseline(r, u), None)
    print(f"provenance accuracy over {len(units)} labelled artifacts (kb {r.kb_version})")
    print(f"{'metric':<24}{'full':>10}{'signals-only':>14}{'org-baseline':>14}")
    rows: list[tuple[str, Callable[[Score], str]]] = [
        ("family", lambda s: pct(s.family, s.n)),
        ("publisher", lambda s: pct(s.publisher, s.n)),
        ("publisher country", lambda s: pct(s.country, s.n)),
        ("CN-lineage precision", lambda s: pct(s.tp, s.tp + s.fp)),
        ("CN-lineage recall", lambda s: pct(s.tp, s.tp + s.fn)),
        ("crashes", lambda s: f"{s.crashes:>7}"),
    ]
    for name, fmt in rows:
        print(f"{name:<24}{fmt(full):>10}{fmt(sig):>14}{fmt(base):>14}")
    print(
        f"KB load {load_s * 1000:.0f} ms; full run {full_s * 1000:.0f} ms "
        f"({full_s / len(units) * 1000:.1f} ms per artifact, file reads included)"
    )
    print("full resolver decided by: " + ", ".join(f"{k} {v}" for k, v in sorted(decided.items())))
    print(f"misses of the full resolver ({len(misses)}):")
    for m in misses:
        print("  " + m)
    print(f"misses of the signals-only resolver ({len(sig_misses)}):")
    for m in sig_misses:
        print("  " + m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
