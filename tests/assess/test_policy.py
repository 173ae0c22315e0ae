"""Policy configuration: where it is read from, what it means, and errors naming key and file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from modeldeps.assess.policy import DEFAULT_WATCH, Lists, Policy, load_policy
from modeldeps.errors import ConfigError
from modeldeps.model import Severity


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_configuration_gives_the_documented_defaults(tmp_path: Path) -> None:
    pol = load_policy(tmp_path, None)
    assert pol == Policy()
    assert pol.fail_on is Severity.HIGH
    assert pol.deny.empty
    assert pol.watch == DEFAULT_WATCH
    assert "CN" in pol.watch.all_countries()


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.modeldeps]\nfail-on = "medium"\n'
        '[tool.modeldeps.deny]\njurisdictions = ["prc"]\nmodels = ["bigscience/*"]\n'
        '[tool.modeldeps.severity]\nMD401 = "off"\nmd203 = "info"\n',
    )
    pol = load_policy(tmp_path, None)
    assert pol.fail_on is Severity.MEDIUM
    assert pol.deny.jurisdictions == {"prc"}
    assert pol.deny.models == ("bigscience/*",)
    assert pol.severity == {"MD401": None, "MD203": Severity.INFO}
    assert not pol.enabled("MD401") and pol.enabled("MD203")
    assert pol.source == str(tmp_path / "pyproject.toml")


def test_pyproject_without_tool_table_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_policy(tmp_path, None).fail_on is Severity.HIGH


def test_dot_modeldeps_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.modeldeps]\nfail-on = "low"\n')
    write(tmp_path / ".modeldeps.toml", 'fail-on = "critical"\n')
    assert load_policy(tmp_path, None).fail_on is Severity.CRITICAL


def test_explicit_config_file_and_fail_on_none(tmp_path: Path) -> None:
    cfg = write(tmp_path / "policy.toml", 'fail-on = "none"\nwatch = {}\n')
    pol = load_policy(tmp_path / "elsewhere", cfg)
    assert pol.fail_on is None
    assert pol.watch == Lists() and pol.watch.empty


def test_ignores_parse_dates_and_relative_baseline(tmp_path: Path) -> None:
    write(
        tmp_path / ".modeldeps.toml",
        'baseline = "ci/base.json"\n'
        '[[ignore]]\nrule = "md205"\npath = "legacy/**"\nreason = "vendored"\n'
        "expires = 2030-01-31\n"
        '[[ignore]]\nrule = "*"\nmodel = "Qwen/*"\nreason = "approved by legal"\n'
        'expires = "2029-12-31"\n',
    )
    pol = load_policy(tmp_path, None)
    first, second = pol.ignores
    assert (first.rule, first.path, first.expires) == ("MD205", "legacy/**", date(2030, 1, 31))
    assert (second.rule, second.model, second.expires) == ("*", "Qwen/*", date(2029, 12, 31))
    assert pol.baseline == tmp_path / "ci/base.json"


def test_concentration_thresholds(tmp_path: Path) -> None:
    write(
        tmp_path / ".modeldeps.toml",
        '[concentration]\nweight = "models"\nmin-models = 2\nmax-country-share = 0.5\n'
        "max-publisher-share = 0.6\nmax-hhi = 2500\n",
    )
    c = load_policy(tmp_path, None).concentration
    assert (c.weight, c.min_models, c.max_country_share, c.max_publisher_share, c.max_hhi) == (
        "models",
        2,
        0.5,
        0.6,
        2500.0,
    )


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('fail-on = "severe"\n', "fail-on", "unknown severity"),
        ("colour = 1\n", "colour", "unknown key"),
        ("[deny]\ncountry = ['CN']\n", "deny.country", "unknown key"),
        ("[deny]\ncountries = ['China']\n", "deny.countries", "ISO 3166"),
        ("[deny]\ncountries = 'CN'\npublishers = [1]\n", "deny.publishers", "list of non-empty"),
        ("[severity]\nMD999 = 'low'\n", "severity.MD999", "unknown rule"),
        ("[severity]\nMD201 = 'loud'\n", "severity.MD201", "unknown severity"),
        ("[[ignore]]\nrule = 'MD201'\n", "ignore[0].reason", "needs a reason"),
        ("[[ignore]]\nreason = 'x'\n", "ignore[0].rule", "needs a rule"),
        ("[[ignore]]\nrule = 'MD777'\nreason = 'x'\n", "ignore[0].rule", "unknown rule"),
        (
            "[[ignore]]\nrule = 'MD201'\nreason = 'x'\nexpires = 'soon'\n",
            "ignore[0].expires",
            "date",
        ),
        ("[[ignore]]\nrule = 'MD201'\nreason = 'x'\nwhen = 1\n", "ignore[0].when", "unknown key"),
        ("ignore = {rule = 'MD201'}\n", "ignore", "list of tables"),
        ("[concentration]\nmax-hhi = 20000\n", "concentration.max-hhi", "0 to 10000"),
        ("[concentration]\nweight = 'tokens'\n", "concentration.weight", "references"),
        ("[concentration]\nmin-models = 0\n", "concentration.min-models", "at least 1"),
        ("include-lineage = 'yes'\n", "include-lineage", "true or false"),
    ],
)
def test_bad_configuration_names_key_and_file(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    cfg = write(tmp_path / ".modeldeps.toml", text)
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path, None)
    assert info.value.key == key
    assert info.value.file == str(cfg)
    assert words in str(info.value)
    assert str(cfg) in str(info.value)


def test_pyproject_errors_carry_the_tool_prefix(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.modeldeps]\nfailon = 'high'\n")
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path, None)
    assert info.value.key == "tool.modeldeps.failon"


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    write(tmp_path / ".modeldeps.toml", "fail-on = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(tmp_path, None)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_policy(tmp_path, tmp_path / "missing.toml")


def test_oversized_configuration_is_refused(tmp_path: Path) -> None:
    write(tmp_path / ".modeldeps.toml", "# " + "x" * (1024 * 1024 + 10) + "\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_policy(tmp_path, None)
