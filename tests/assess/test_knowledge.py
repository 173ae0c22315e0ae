"""The typed seam between assess and the knowledge base: only fields the KB really has."""

from __future__ import annotations

import dataclasses
import inspect

from modeldeps.assess import knowledge
from modeldeps.assess.knowledge import ResolverKnowledge
from tests.assess.helpers import KB


def test_facts_come_from_typed_records_of_the_bundled_kb() -> None:
    op = KB.endpoint_operator("api.deepseek.com")
    assert op is not None and (op.id, op.country) == ("deepseek", "CN") and "prc" in op.flags
    assert KB.endpoint_operator("example.invalid") is None
    lic = KB.license("llama3.1")
    assert lic is not None and lic.commercial == "conditional"
    assert lic.acceptable_use and lic.thresholds  # classified from the clauses as written
    api = KB.api_model("gpt-4")
    assert api is not None and api.provider == "openai"
    provider = KB.operator("zhipu")
    assert provider is not None and provider.country == "CN" and "prc" in provider.flags
    assert KB.publisher_flags("deepseek") >= {"prc"}
    assert KB.publisher_flags("no-such-publisher") == frozenset()


def test_the_adapter_probes_nothing() -> None:
    # Typed records, not getattr over whatever a record might hold: a field the KB lacks is a
    # type error at check time, never a silent None at run time.
    source = inspect.getsource(knowledge)
    assert "getattr(" not in source and "Any" not in source
    assert isinstance(KB, ResolverKnowledge)
    assert all(f.type != "Any" for f in dataclasses.fields(knowledge.LicenseFacts))
