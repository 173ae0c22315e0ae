"""Chat-template sandbox check: parsed, never rendered; escapes flagged, real templates clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.discover.inspectors.templates import check_template
from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect

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
