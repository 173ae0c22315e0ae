"""Print a constraints file pinning each direct dependency to the minimum version it declares.

`make test-floors` installs modeldeps with these pins (and uv's lowest-direct resolution) in a
second virtualenv and runs the test suite there, so every `>=` floor in pyproject.toml is a
version the tests have passed with, not a guess.

    python tools/floor_constraints.py [EXTRA ...] > floors.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*$")


def extras_require_floor(requirement: str) -> bool:
    """Type stubs follow their packages and declare no floor; every other requirement must."""
    return not requirement.startswith("types-")


def floors(extras: list[str]) -> list[str]:
    """``name==version`` for every ``name>=version`` of the dependencies and ``extras``."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is not None and match.group(1).lower() != "modeldeps":
            pins[match.group(1).lower()] = f"{match.group(1)}=={match.group(2)}"
        elif not requirement.startswith("modeldeps[") and extras_require_floor(requirement):
            raise SystemExit(f"pyproject.toml: {requirement!r} has no '>=' floor to test")
    return sorted(pins.values())


def main(argv: list[str]) -> int:
    print("\n".join(floors(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
