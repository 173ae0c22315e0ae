"""Usage files: TOML and YAML, request buckets, and errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.errors import InputError
from modeldeps.usage import merge, parse_usage_text, read_usage_file

TOML = """
[defaults]
peak_to_average = 3

[[models]]
model = "gpt-4o"
provider = "openai"
requests = 1000
input_tokens = 2000
cached_input_tokens = 500
output_tokens = 300

[[models]]
model = "gemini-2.5-pro"
[[models.buckets]]
requests = 10
input_tokens = 250000
output_tokens = 1000
[[models.buckets]]
requests = 90
input_tokens = 1000
output_tokens = 100
"""


def test_toml_requests_and_buckets() -> None:
    a, b = parse_usage_text(TOML, "u.toml")
    assert (a.requests, a.input_tokens, a.cached_input_tokens, a.output_tokens) == (
        1000,
        2_000_000,
        500_000,
        300_000,
    )
    assert a.peak_to_average == 3 and a.origin == "u.toml:5"
    assert len(b.buckets) == 2 and b.input_tokens == 10 * 250_000 + 90 * 1000


def test_yaml_monthly_totals_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text(
        "models:\n  - model: claude-sonnet-4\n    monthly_input_tokens: 1000000\n"
        "    monthly_output_tokens: 200000\n  - model: x\n    requests: 5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_usage_file(path)
    assert info.value.line == 5 and "input_tokens" in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('model = "a"\nrequests = 1\ninput_tokens = 1\noutput_tokens = "x"', "must be a number"),
        ('model = "a"\nreqests = 1', "unknown key"),
        (
            'model = "a"\nrequests = 1\ninput_tokens = 1\noutput_tokens = 1\n'
            "cached_input_tokens = 5",
            "exceeds",
        ),
        ('model = ""', "non-empty"),
        ('model = "a"', "give requests"),
    ],
)
def test_bad_entries_name_the_line(snippet: str, message: str) -> None:
    text = '[[models]]\nmodel = "ok"\nrequests = 1\ninput_tokens = 1\noutput_tokens = 1\n\n'
    text += "[[models]]\n" + snippet + "\n"
    with pytest.raises(InputError, match=message) as info:
        parse_usage_text(text, "u.toml")
    assert info.value.line == 7


def test_invalid_toml_reports_line() -> None:
    with pytest.raises(InputError) as info:
        parse_usage_text("[[models]]\nmodel = \n", "u.toml")
    assert info.value.line == 2


def test_merge_adds_repeated_models_instead_of_dropping() -> None:
    a, _ = parse_usage_text(TOML, "u.toml")
    (merged,) = merge([a, a])
    assert merged.requests == 2 * a.requests


def test_glob_problems_are_found_when_read() -> None:
    from modeldeps.globs import gitignore_problem, glob_problem

    assert glob_problem("Qwen/*") is None and glob_problem("[a-z]?-[!0-9]") is None
    assert glob_problem("a[") is None  # an unclosed bracket is a literal, as in fnmatch
    assert glob_problem("[]z-a]") is not None and glob_problem("x[!z-a]") is not None
    assert "reversed" in (glob_problem("qwen[9-0]") or "")
    assert gitignore_problem("build/") is None and gitignore_problem("src/[z-a]") is not None
