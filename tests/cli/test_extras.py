"""The extras table the CLI checks is pyproject.toml's: every optional feature names the extra
that installs it, and that extra really brings the modules the check looks for."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from modeldeps.cli.extras import EXTRAS

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _requirements(extra: str, table: dict[str, list[str]]) -> set[str]:
    """Distribution names an extra installs, its own ``modeldeps[...]`` extras included."""
    out: set[str] = set()
    for req in table[extra]:
        name = re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower().replace("_", "-")
        if name == "modeldeps":
            for inner in re.findall(r"\[([^\]]+)\]", req)[0].split(","):
                out |= _requirements(inner.strip(), table)
        else:
            out.add(name)
    return out


def test_every_extra_the_cli_checks_installs_the_modules_it_looks_for() -> None:
    table = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    dists = packages_distributions()
    assert {"cost", "online", "store", "postgres", "ray", "web"} <= set(EXTRAS)
    for extra, (_feature, modules) in EXTRAS.items():
        assert extra in table, f"{extra} is not an extra of pyproject.toml"
        wanted = _requirements(extra, table)
        for module in modules:
            owners = {d.lower().replace("_", "-") for d in dists.get(module, [])}
            assert owners & wanted, f"{extra}: {module} comes from {owners}, not {wanted}"


def readme_extras_table() -> str:
    """The README's table of optional features, as the CLI's extras table writes it."""
    rows = [
        f"| `{extra}` | {feature} | {', '.join(modules)} |"
        for extra, (feature, modules) in EXTRAS.items()
    ]
    return "\n".join(["| extra | enables | brings |", "| --- | --- | --- |", *rows])


def test_the_readme_lists_the_extras_the_cli_checks() -> None:
    readme = (PYPROJECT.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- extras-table:[^>]*-->\n(.*?)\n<!-- /extras-table -->", readme, re.S)
    assert block is not None, "README has no generated extras table"
    assert block.group(1) == readme_extras_table()
