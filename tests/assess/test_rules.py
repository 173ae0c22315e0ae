"""Each rule on small scan results, with identities from the real resolver or built directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from modeldeps.assess.knowledge import ApiModelFacts, LicenseFacts, StaticKnowledge
from modeldeps.model import (
    ArtifactInfo,
    Confidence,
    Finding,
    LineageEdge,
    Location,
    RefKind,
    Severity,
)
from tests.assess.helpers import KB, ident, ids, of, policy, ref, result, run

NO_WATCH = policy(watch={})


def test_deny_jurisdiction_flags_a_qwen_reference_as_md101() -> None:
    findings = run(result(ref("Qwen/Qwen2.5-7B-Instruct")), policy(deny={"jurisdictions": ["prc"]}))
    (f,) = of(findings, "MD101")
    assert f.severity is Severity.HIGH
    assert "CN" in f.message and "prc" in f.message
    assert f.subject == "Qwen/Qwen2.5-7B-Instruct"
    assert not of(findings, "MD102")  # denied, so not also watched


def test_deny_by_country_publisher_model_family_license() -> None:
    res = result(
        ref("meta-llama/Llama-3.1-8B-Instruct", line=1),
        ref("mistralai/Mistral-7B-v0.1", line=2),
        ref("google/gemma-2-9b-it", line=3),
    )
    assert ids(run(res, policy(deny={"countries": ["FR"]}, watch={}))) == [
        "MD101",
        *ids(run(res, NO_WATCH)),
    ]
    by_pub = of(run(res, policy(deny={"publishers": ["meta"]}, watch={})), "MD101")
    assert [f.location.line for f in by_pub] == [1]
    by_glob = of(run(res, policy(deny={"models": ["google/*"]}, watch={})), "MD101")
    assert [f.location.line for f in by_glob] == [3]
    by_family = of(run(res, policy(deny={"families": ["mistral*"]}, watch={})), "MD101")
    assert [f.location.line for f in by_family] == [2]
    by_license = of(run(res, policy(deny={"licenses": ["llama3.1"]}, watch={})), "MD101")
    assert [f.location.line for f in by_license] == [1]


def test_a_quantization_is_judged_by_its_base_unless_lineage_is_off() -> None:
    # A US re-upload of a CN model: the base's country counts by default.
    q = ref("x")
    q = replace(
        q,
        identity=ident(
            "someone/Qwen2.5-7B-GGUF",
            "someone",
            "US",
            lineage=(LineageEdge("quantized", "Qwen/Qwen2.5-7B", "alibaba-qwen", "CN"),),
            lineage_countries=("CN",),
        ),
    )
    deny_cn = {"countries": ["CN"]}
    (f,) = of(run(result(q), policy(deny=deny_cn)), "MD101")
    assert "base model Qwen/Qwen2.5-7B (CN)" in f.message
    assert not of(run(result(q), policy(deny=deny_cn, **{"include-lineage": False})), "MD101")


def test_allow_is_an_exception_to_deny_and_watch() -> None:
    res = result(ref("Qwen/Qwen2.5-7B-Instruct"), ref("deepseek-ai/DeepSeek-R1", line=2))
    pol = policy(deny={"countries": ["*"]}, allow={"models": ["Qwen/*"], "countries": ["US"]})
    denied = of(run(res, pol), "MD101")
    assert [f.subject for f in denied] == ["deepseek-ai/DeepSeek-R1"]
    watched = of(run(res, policy(allow={"publishers": ["deepseek"]})), "MD102")
    assert [f.subject for f in watched] == ["Qwen/Qwen2.5-7B-Instruct"]


def test_default_watch_list_reports_prc_models_as_md102_only() -> None:
    findings = run(result(ref("Qwen/Qwen2.5-7B-Instruct"), ref("meta-llama/Llama-3.1-8B", line=2)))
    (f,) = of(findings, "MD102")
    assert f.severity is Severity.MEDIUM and f.location.line == 1
    assert not of(findings, "MD101")
    assert not of(run(result(ref("Qwen/Qwen2.5-7B-Instruct")), NO_WATCH), "MD102")


def test_unknown_provenance_for_named_models_and_artifacts_only() -> None:
    art = ArtifactInfo(Location("models/w.safetensors"), "safetensors", 10)
    res = result(
        ref("nobody-knows/some-model"),
        ref("weights/w.pt", RefKind.LOCAL_ARTIFACT, line=2),
        artifacts=(art, ArtifactInfo(Location("blob.bin"), "unrecognized", 3)),
    )
    md103 = of(run(res, NO_WATCH), "MD103")
    assert sorted(f.location.path for f in md103) == ["app.py", "models/w.safetensors"]
    assert not of(run(result(ref("Qwen/Qwen2.5-7B-Instruct")), NO_WATCH), "MD103")


def _many(*pairs: tuple[str, str, str]) -> list:  # type: ignore[type-arg]
    out = []
    for i, (model, pub, country) in enumerate(pairs, start=1):
        r = ref(model, line=i, resolve=False)
        out.append(replace(r, identity=ident(model, pub, country, "apache-2.0")))
    return out


def test_concentration_by_country_and_publisher() -> None:
    three_cn = _many(("a/1", "alpha", "CN"), ("b/2", "beta", "CN"), ("c/3", "gamma", "CN"))
    us = _many(("d/4", "delta", "US"))
    # 3 of 4 from CN is 75%: under the default 80% share threshold.
    below = run(result(*three_cn, *us), NO_WATCH)
    assert not of(below, "MD104")
    assert not of(below, "MD105")  # publishers are spread: HHI 2500
    (country,) = of(run(result(*three_cn), NO_WATCH), "MD104")
    assert country.subject == "country:CN" and "100%" in country.message
    assert country.location == Location("app.py", 1)
    tight = policy(watch={}, concentration={"max-country-share": 0.7})
    assert of(run(result(*three_cn, *us), tight), "MD104")


def test_publisher_share_and_hhi() -> None:
    refs = _many(("a/1", "alpha", "US"), ("a/2", "alpha", "US"), ("b/3", "beta", "FR"))
    (f,) = of(run(result(*refs), NO_WATCH), "MD105")  # HHI = 66.7^2 + 33.3^2 = 5556
    assert f.subject == "publisher:alpha" and "HHI 5556" in f.message
    loose = policy(watch={}, concentration={"max-hhi": 6000})
    assert not of(run(result(*refs), loose), "MD105")
    too_few = policy(watch={}, concentration={"min-models": 4})
    assert not of(run(result(*refs), too_few), "MD105")


def test_concentration_weighted_by_usage() -> None:
    from modeldeps.assess import assess
    from modeldeps.assess.policy import Lists, Policy

    refs = _many(("a/1", "alpha", "US"), ("b/2", "beta", "FR"), ("c/3", "gamma", "DE"))
    pol = policy(watch={}, concentration={"weight": "usage"})
    assert not of(run(result(*refs), pol), "MD104")  # no usage given: by references, 1/3 each
    out = assess(result(*refs), pol, StaticKnowledge(), usage={"a/1": 95.0, "b/2": 5.0})
    (f,) = [f for f in out.findings if f.rule_id == "MD104"]
    assert f.subject == "country:US"
    assert f.message.startswith("95% of usage (figures for 2 of 3 models) come from US")
    # Usage figures, when the scan has them, win over the configured weighting.
    out = assess(result(*refs), Policy(watch=Lists()), StaticKnowledge(), usage={"c/3": 1.0})
    (g,) = [f for f in out.findings if f.rule_id == "MD104"]
    assert g.subject == "country:DE" and "100% of usage" in g.message


def test_concentration_fingerprint_does_not_depend_on_where_it_is_shown() -> None:
    refs = _many(("a/1", "alpha", "US"), ("a/2", "alpha", "US"), ("a/3", "alpha", "US"))
    moved = [replace(r, location=Location("other.py", 9)) for r in refs]
    one = of(run(result(*refs), NO_WATCH), "MD105")[0]
    two = of(run(result(*moved), NO_WATCH), "MD105")[0]
    assert one.location != two.location and one.fingerprint == two.fingerprint


def test_trust_remote_code_and_torch_load() -> None:
    res = result(
        ref("Qwen/Qwen2.5-7B-Instruct", trust_remote_code=True, line=3),
        ref("meta-llama/Llama-3.1-8B", trust_remote_code=False, line=4),
        ref("w.pt", RefKind.LOCAL_ARTIFACT, line=5, loader="torch.load"),
        ref("x.pt", RefKind.LOCAL_ARTIFACT, line=6, loader="torch.load", weights_only=False),
        ref("y.pt", RefKind.LOCAL_ARTIFACT, line=7, loader="torch.load", weights_only=True),
        ref("z.pt", RefKind.LOCAL_ARTIFACT, line=8, loader="safetensors.torch.load_file"),
    )
    findings = run(res, NO_WATCH)
    (rc,) = of(findings, "MD205")
    assert (rc.location.line, rc.severity) == (3, Severity.HIGH)
    assert "not pinned" in rc.message
    loads = of(findings, "MD204")
    assert [(f.location.line, f.confidence) for f in loads] == [
        (5, Confidence.MEDIUM),
        (6, Confidence.HIGH),
    ]


def test_unpinned_revision_needs_a_full_commit() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    res = result(
        ref("Qwen/Qwen2.5-7B-Instruct", line=1, loader="from_pretrained"),
        ref("Qwen/Qwen2.5-7B-Instruct", line=2, revision="main"),
        ref("Qwen/Qwen2.5-7B-Instruct", line=3, revision="v1.0"),
        ref("Qwen/Qwen2.5-7B-Instruct", line=4, revision=sha[:12]),
        ref("Qwen/Qwen2.5-7B-Instruct", line=5, revision=sha),
        ref("Qwen/Qwen2.5-7B-Instruct", line=6, revision=sha.upper()),
        ref("gpt-4o", RefKind.API_MODEL, line=7),
    )
    (md401,) = of(run(res, NO_WATCH), "MD401")
    # One finding for the model, at every unpinned place; it speaks for the loader call (high).
    assert [loc.line for loc in md401.locations] == [1, 2, 3, 4]
    assert md401.confidence is Confidence.HIGH and "no revision" in md401.message


def test_retired_api_model_from_the_bundled_knowledge_base() -> None:
    res = result(ref("text-davinci-003", RefKind.API_MODEL), ref("gpt-4o", RefKind.API_MODEL))
    (f,) = [f for f in of(run(res, NO_WATCH), "MD402") if f.subject == "text-davinci-003"]
    assert f.subject == "text-davinci-003" and "retired on 2024-01-04" in f.message
    # Retired: calls fail, so high; the bundled record is marked unverified.
    assert (f.severity, f.confidence) == (Severity.HIGH, Confidence.MEDIUM)


def test_lifecycle_states_depend_on_the_scan_date() -> None:
    kb = StaticKnowledge(
        api_models={
            "old-1": ApiModelFacts("old-1", retired=date(2025, 1, 1), replacement="new-1"),
            "soon-1": ApiModelFacts("soon-1", retired=date(2025, 12, 1)),
            "dep-1": ApiModelFacts("dep-1", deprecated=date(2025, 5, 1), verified=False),
            "dep-2": ApiModelFacts("dep-2", deprecated=date(2025, 7, 1)),
            "both-1": ApiModelFacts(
                "both-1", deprecated=date(2025, 3, 1), retired=date(2026, 3, 1)
            ),
            "today-1": ApiModelFacts("today-1", retired=date(2025, 6, 1)),
        }
    )
    refs = [ref(n, RefKind.API_MODEL, line=i, resolve=False) for i, n in enumerate(kb.api_models)]
    found = [
        (f.message, f.severity, f.confidence) for f in of(run(result(*refs), NO_WATCH, kb), "MD402")
    ]  # the scan is dated 2025-06-01; most severe first
    high, medium, conf_high, conf_medium = (
        Severity.HIGH,
        Severity.MEDIUM,
        Confidence.HIGH,
        Confidence.MEDIUM,
    )
    assert found == [
        ("old-1 is retired on 2025-01-01; calls to it fail; replacement: new-1", high, conf_high),
        ("today-1 is retired on 2025-06-01; calls to it fail", high, conf_high),
        ("soon-1 is scheduled for retirement on 2025-12-01", medium, conf_high),
        ("dep-1 is deprecated since 2025-05-01", medium, conf_medium),
        (
            "both-1 is deprecated since 2025-03-01 and scheduled for retirement on 2026-03-01",
            medium,
            conf_high,
        ),
    ]
    # A policy re-grade applies to every state alike.
    regraded = run(result(*refs), policy(watch={}, severity={"MD402": "low"}), kb)
    assert {f.severity for f in of(regraded, "MD402")} == {Severity.LOW}


def test_deprecation_dates_read_from_a_knowledge_base_record() -> None:
    """A knowledge-base record with a deprecation date (the bundled KB has none yet)."""
    from modeldeps.assess.knowledge import ResolverKnowledge
    from modeldeps.resolve.kb import KnowledgeBase

    doc = {
        "publishers": [{"id": "acme", "name": "Acme", "country": "US", "type": "company"}],
        "api_models": [{"id": "legacy-chat", "publisher": "acme", "deprecated": "2025-04-30"}],
    }
    kb = ResolverKnowledge(KnowledgeBase(doc, "test"))
    facts = kb.api_model("legacy-chat")
    assert facts is not None and facts.deprecated == date(2025, 4, 30) and facts.verified
    assert facts.provider == "acme" and facts.replacement is None
    (f,) = of(
        run(result(ref("legacy-chat", RefKind.API_MODEL, resolve=False)), NO_WATCH, kb), "MD402"
    )
    assert f.message == "legacy-chat is deprecated since 2025-04-30"
    assert (f.severity, f.confidence) == (Severity.MEDIUM, Confidence.HIGH)


def test_license_rules_with_the_bundled_knowledge_base() -> None:
    llama = ref("meta-llama/Llama-3.2-11B-Vision-Instruct")
    nc = replace(
        ref("x", resolve=False), identity=ident("org/nc-model", "org", "US", "cc-by-nc-4.0")
    )
    findings = run(result(llama, nc), NO_WATCH)
    (md301,) = of(findings, "MD301")
    assert md301.subject == "org/nc-model:cc-by-nc-4.0" and md301.severity is Severity.HIGH
    assert {f.rule_id for f in findings if f.subject.startswith("meta-llama/")} >= {
        "MD302",
        "MD303",
    }
    # Closed API models have terms of service, not weights licences.
    assert not [
        f
        for f in run(result(ref("gpt-4o", RefKind.API_MODEL)), NO_WATCH)
        if f.rule_id.startswith("MD3")
    ]


def test_territory_inherited_and_unknown_licenses() -> None:
    kb = StaticKnowledge(
        licenses={
            "terr": LicenseFacts(
                "terr", "Territorial", "conditional", territory=("not in the EU",)
            ),
            "apache-2.0": LicenseFacts("apache-2.0"),
        }
    )
    derived = ident(
        "org/derived",
        "org",
        "US",
        "apache-2.0",
        "terr",
        lineage=(LineageEdge("finetune", "base/model", "base", "US"),),
    )
    no_lic = ident("org/nolic", "org", "US")
    odd = ident("org/odd", "org", "US", "other")
    refs = [
        replace(ref("d", resolve=False, line=1), identity=derived),
        replace(ref("n", resolve=False, line=2), identity=no_lic),
        replace(ref("o", resolve=False, line=3), identity=odd),
    ]
    findings = run(result(*refs), NO_WATCH, kb)
    assert [f.subject for f in of(findings, "MD304")] == ["org/derived:terr"]
    (inh,) = of(findings, "MD305")
    assert "labelled apache-2.0 but built on a model under terr" in inh.message
    assert sorted(f.subject for f in of(findings, "MD306")) == ["org/nolic", "org/odd:other"]


def test_egress_to_watched_jurisdiction() -> None:
    res = result(
        ref("https://api.deepseek.com/v1", RefKind.ENDPOINT, line=1, egress="config"),
        ref("https://api.openai.com/v1", RefKind.ENDPOINT, line=2, egress="config"),
        ref("http://localhost:8000/v1", RefKind.ENDPOINT, line=3, egress="client"),
        ref("deepseek-chat", RefKind.API_MODEL, line=4, egress="sdk"),
        ref("qwen-max", RefKind.API_MODEL, line=5, base_url="https://api.together.xyz/v1"),
        ref("deepseek-chat", RefKind.API_MODEL, line=6, provider="openrouter", egress="sdk"),
        ref("deepseek-chat", RefKind.API_MODEL, line=7),  # named, never sent
    )
    md501 = of(run(res), "MD501")
    # The endpoint (config) and the SDK call without a provider (the publisher's own API).
    assert [(f.location.line, f.confidence) for f in md501] == [
        (1, Confidence.HIGH),
        (4, Confidence.MEDIUM),
    ]
    assert "requests to api.deepseek.com go to DeepSeek (CN)" in md501[0].message
    assert "the deepseek API (models: deepseek-chat)" in md501[1].message
    assert not of(run(res, NO_WATCH), "MD501")
    us = of(run(res, policy(watch={}, deny={"countries": ["US"]})), "MD501")
    assert [f.location.line for f in us] == [2, 5, 6]
    exempt = policy(allow={"publishers": ["deepseek"]})
    assert not of(run(res, exempt), "MD501")


def test_inspector_findings_are_annotated_regraded_and_not_duplicated() -> None:
    pickled = Finding(
        "MD201",
        Severity.CRITICAL,
        Confidence.HIGH,
        "MD201",
        "imports os.system",
        Location("m.pkl"),
        subject="os.system",
    ).with_fingerprint()
    fmt = Finding(
        "MD203",
        Severity.LOW,
        Confidence.HIGH,
        "",
        "pickle format",
        Location("m.pkl"),
        subject="m.pkl",
    ).with_fingerprint()
    art = ArtifactInfo(Location("m.pkl"), "pickle", 100, findings=(pickled, fmt))
    res = replace(result(artifacts=(art,)), findings=(pickled,))
    findings = run(res, policy(watch={}, severity={"MD203": "off", "MD201": "high"}))
    assert [(f.rule_id, f.severity) for f in findings] == [
        ("MD201", Severity.HIGH),
        ("MD103", Severity.LOW),
    ]
    assert findings[0].title == "Pickle imports a dangerous callable"
    assert findings[0].remediation


def test_unrecognized_binary_is_info() -> None:
    res = result(artifacts=(ArtifactInfo(Location("blob.bin"), "unrecognized", 3),))
    (f,) = of(run(res, NO_WATCH), "MD211")
    assert f.severity is Severity.INFO


def test_findings_are_sorted_most_severe_first_and_fingerprinted() -> None:
    res = result(
        ref("Qwen/Qwen2.5-7B-Instruct", trust_remote_code=True, line=3),
        ref("w.pt", RefKind.LOCAL_ARTIFACT, line=1, loader="torch.load"),
    )
    findings = run(res)
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks, reverse=True)
    assert all(len(f.fingerprint) == 32 for f in findings)
    assert run(res) == findings


def test_knowledge_adapter_reads_bundled_records() -> None:
    lic = KB.license("llama3.2-multimodal")
    assert lic is not None and lic.commercial == "conditional"
    assert lic.acceptable_use and lic.thresholds and lic.territory
    op = KB.endpoint_operator("api.deepseek.com")
    assert op is not None and op.country == "CN" and "prc" in op.flags
    assert KB.endpoint_operator("example.invalid") is None


DEEPSEEK = "https://api.deepseek.com"


def _deepseek_client(path: str = "app.py", *models: str) -> list:  # type: ignore[type-arg]
    """A client with base_url on line 3 and one API call per model on the lines below it."""
    refs = [
        ref(DEEPSEEK, RefKind.ENDPOINT, path=path, line=3, key="base_url", loader="openai.OpenAI")
    ]
    for i, model in enumerate(models, start=4):
        refs.append(ref(model, RefKind.API_MODEL, path=path, line=i, base_url=DEEPSEEK))
    return refs


def test_md501_once_per_destination_listing_the_models() -> None:
    refs = _deepseek_client("app.py", "deepseek-chat", "deepseek-reasoner")
    elsewhere = _deepseek_client("lib/other.py", "deepseek-chat")
    mention = ref("deepseek-chat", RefKind.API_MODEL, path="models.py", line=2)
    (f,) = of(run(result(*refs, *elsewhere, mention)), "MD501")
    assert [(loc.path, loc.line) for loc in f.locations] == [
        ("app.py", 3),
        ("app.py", 4),
        ("app.py", 5),
        ("lib/other.py", 3),
        ("lib/other.py", 4),
    ]
    assert f.confidence is Confidence.HIGH
    assert "requests to api.deepseek.com (models: deepseek-chat, deepseek-reasoner)" in f.message
    # Adding a model or a place to a reviewed client does not make the finding new.
    (one,) = of(run(result(*_deepseek_client("app.py", "deepseek-chat"))), "MD501")
    assert one.fingerprint == f.fingerprint
    # An ignore by path removes those places; an ignore by model reaches the finding.
    pol = policy(ignore=[{"rule": "MD501", "path": "lib/**", "reason": "vendored"}])
    (g,) = of(run(result(*refs, *elsewhere), pol), "MD501")
    assert {loc.path for loc in g.locations} == {"app.py"}
    pol = policy(ignore=[{"rule": "MD501", "model": "deepseek-reasoner", "reason": "reviewed"}])
    assert not of(run(result(*refs), pol), "MD501")


def test_md501_message_names_the_policy_keys_to_change() -> None:
    refs = _deepseek_client("app.py", "deepseek-chat")
    (f,) = of(run(result(*refs)), "MD501")
    assert 'matched [watch] jurisdictions = ["prc"] (the default watch list)' in f.message
    assert 'in .modeldeps.toml add "deepseek" to [allow] publishers' in f.message
    assert '[severity] MD501 = "medium"' in f.message
    from modeldeps.assess.policy import parse_policy

    in_pyproject = parse_policy(
        {"deny": {"countries": ["CN"]}}, source="/x/pyproject.toml", prefix="tool.modeldeps"
    )
    (g,) = of(run(result(*refs), in_pyproject), "MD501")
    assert 'matched [tool.modeldeps.deny] countries = ["CN"];' in g.message
    assert "in pyproject.toml add" in g.message and "[tool.modeldeps.severity] MD501" in g.message
    # Following the message's own advice removes the finding, or keeps it below the default gate.
    assert not of(run(result(*refs), policy(allow={"publishers": ["deepseek"]})), "MD501")
    (h,) = of(run(result(*refs), policy(severity={"MD501": "medium"})), "MD501")
    assert h.severity is Severity.MEDIUM
