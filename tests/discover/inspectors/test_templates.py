"""Chat-template sandbox check: parsed, never rendered; escapes flagged, real templates clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.discover.inspectors.templates import check_template
from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect, write_gguf

BENIGN = [
    "{% for m in messages %}{{ m['role'] }}: {{ m.content | trim }}{% endfor %}",
    "{{ bos_token }}{% for m in messages | selectattr('role', 'equalto', 'user') %}x{% endfor %}",
    "{% if tools %}{{ tools | tojson }}{% endif %}{{ raise_exception('bad') if false }}",
    "{% set ns = namespace(a=1) %}{{ ns.a }}{{ messages | map(attribute='content') | join }}",
]

ESCAPES = [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__subclasses__", Severity.CRITICAL),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "__globals__", Severity.CRITICAL),
    ("{{ lipsum['__glo' ~ 'bals__'] }}", "__globals__", Severity.CRITICAL),
    ("{{ x | attr('__class__') }}", "__class__", Severity.CRITICAL),
    ("{{ x | attr(name) }}", "<computed>", Severity.HIGH),
    ("{{ '{0.__class__}'.format(x) }}", "__class__", Severity.CRITICAL),
    ("{{ self._TemplateReference__context }}", "_TemplateReference__context", Severity.CRITICAL),
    ("{{ x._private }}", "_private", Severity.HIGH),
    ("{{ x | map(attribute='__class__') | list }}", "__class__", Severity.CRITICAL),
]


@pytest.mark.parametrize("source", BENIGN)
def test_benign_templates_pass(source: str) -> None:
    assert check_template(source, "t.jinja") == []


@pytest.mark.parametrize(("source", "name", "severity"), ESCAPES)
def test_escapes_are_flagged(source: str, name: str, severity: Severity) -> None:
    found = {(f.subject, f.severity) for f in check_template(source, "t.jinja")}
    assert (f"chat_template:{name}", severity) in found
    assert all(f.rule_id == "MD207" for f in check_template(source, "t.jinja"))


def test_unparseable_template_is_low_malformed() -> None:
    (f,) = check_template("{% for x in %}", "t.jinja")
    assert (f.rule_id, f.severity) == ("MD210", Severity.LOW)


def test_template_is_never_rendered(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    source = "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    assert check_template(source, "t.jinja")
    assert not marker.exists()


def test_tokenizer_config_single_and_named_templates(tmp_path: Path) -> None:
    cfg = {
        "chat_template": [
            {"name": "default", "template": BENIGN[0]},
            {"name": "tool_use", "template": ESCAPES[0][0]},
        ]
    }
    p = tmp_path / "tokenizer_config.json"
    p.write_text(json.dumps(cfg))
    info = inspect(p)
    assert info.format == "chat-template"
    assert info.metadata["chat_templates"] == ["chat_template.default", "chat_template.tool_use"]
    assert {f.subject.split(":")[0] for f in info.findings} == {"chat_template.tool_use"}


def test_chat_template_jinja_file(tmp_path: Path) -> None:
    p = tmp_path / "chat_template.jinja"
    p.write_text(BENIGN[1])
    info = inspect(p)
    assert (info.format, info.findings) == ("chat-template", ())


# --- names built instead of written: resolved, not matched ------------------------------------

CYCLER = "{% set i = '__in' ~ 'it__' %}{% set g = '__glo' ~ 'bals__' %}" + (
    "{{ cycler[i][g]['os']['popen']('id').read() }}"
)

COMPUTED = {
    "set-and-concat": CYCLER,
    "loop-over-names": "{% for n in ['__init__', '__globals__'] %}{{ cycler[n] }}{% endfor %}",
    "reverse-filter": "{{ cycler['__tini__'|reverse] }}",
    "slice": "{{ cycler['__tini__'[::-1]]['__slabolg__'[::-1]] }}",
    "replace": "{{ lipsum['__gXlobals__'|replace('X', '')] }}",
    "join": "{{ lipsum[['__glo', 'bals__']|join] }}",
    "percent": "{{ lipsum['%s%s' % ('__glo', 'bals__')] }}",
    "macro-argument": "{% macro f(a) %}{{ cycler[a] }}{% endmacro %}{{ f('__init__') }}",
    "macro-default": "{% macro f(a='__init__') %}{{ cycler[a] }}{% endmacro %}{{ f() }}",
    "namespace": "{% set ns = namespace(k='x') %}{% set ns.k = '__init__' %}{{ cycler[ns.k] }}",
    "with": "{% with k = '__init__' %}{{ cycler[k] }}{% endwith %}",
    "set-block": "{% set k %}__init__{% endset %}{{ cycler[k] }}",
    "method": "{{ cycler['__INIT__'.lower()] }}",
    "one-branch": "{% set k = 'content' if x else '__class__' %}{{ message[k] }}",
    "string-subscript": "{{ ''['__class__']['__mro__'] }}",
}


@pytest.mark.parametrize("name", sorted(COMPUTED))
def test_names_built_at_render_time_are_resolved(name: str) -> None:
    found = check_template(COMPUTED[name], "t.jinja")
    assert max(f.severity.rank for f in found) == Severity.CRITICAL.rank, found


@pytest.mark.parametrize(
    "source",
    [
        "{{ cycler['X'|urlencode] }}",  # a filter this analysis does not follow
        "{{ cycler[messages[0].content] }}",  # a name from the conversation, on an object
        "{{ cycler[bos_token] }}",  # a token the config did not give
        "{{ message['%c%c' % (95, 95) ~ 'class' ~ '%c%c' % (95, 95)] }}",  # numbers formatted
        "{{ message[[95, 95]|join ~ 'class'] }}",
    ],
)
def test_names_that_cannot_be_resolved_are_high(source: str) -> None:
    found = check_template(source, "t.jinja")
    assert [(f.severity, f.subject) for f in found] == [(Severity.HIGH, "chat_template:<computed>")]


def test_special_tokens_from_the_same_config_are_constants(tmp_path: Path) -> None:
    cfg = {"bos_token": {"content": "__init__"}, "chat_template": "{{ cycler[bos_token] }}"}
    p = tmp_path / "tokenizer_config.json"
    p.write_text(json.dumps(cfg))
    assert {(f.severity, f.subject) for f in inspect(p).findings} == {
        (Severity.CRITICAL, "chat_template:__init__")
    }


def test_computed_subscripts_in_tokenizer_config_and_gguf(tmp_path: Path) -> None:
    p = tmp_path / "tokenizer_config.json"
    p.write_text(json.dumps({"chat_template": CYCLER}))
    assert max(f.severity.rank for f in inspect(p).findings) == Severity.CRITICAL.rank
    gguf = write_gguf(tmp_path / "m.gguf", template=CYCLER, tokens=["a", "b"])
    assert max(f.severity.rank for f in inspect(gguf).findings) == Severity.CRITICAL.rank


LOOKUPS = [
    # real templates' lookups: a type map keyed by a tool's field, a message by a loop index,
    # a namespace flag
    '{% set m = {"string": "str"} %}{{ m[spec.type] }}',
    "{% for x in messages %}{{ messages[loop.index0]['content'] }}{% endfor %}",
    "{% set ns = namespace(found=false) %}{% set ns.found = true %}{{ ns.found }}",
    "{% for k, v in tool.parameters.properties | items %}{{ k }}{{ v['type'] }}{% endfor %}",
    "{% set idx = (messages|length - 1) - loop.index0 %}{{ messages[idx].role }}",
]


@pytest.mark.parametrize("source", LOOKUPS)
def test_ordinary_lookups_stay_clean(source: str) -> None:
    assert check_template(source, "t.jinja") == []


def test_every_template_file_the_walk_names_is_read_by_the_template_inspector(
    tmp_path: Path,
) -> None:
    from modeldeps.discover.walk import TEMPLATE_NAMES

    for name in sorted(TEMPLATE_NAMES):
        body = (
            ESCAPES[0][0]
            if name.endswith(".jinja")
            else json.dumps({"chat_template": ESCAPES[0][0]})
        )
        p = tmp_path / name
        p.write_text(body)
        info = inspect(p)
        assert info.format == "chat-template", name
        assert any(f.rule_id == "MD207" for f in info.findings), name
