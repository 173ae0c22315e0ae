"""The README's first screen: exactly the two set-up commands, and both exist in the Makefile."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_first_screen_holds_exactly_make_demo_and_make_test() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:40])
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first_screen, re.S)
    assert blocks, "no command block on the README's first screen"
    commands = [
        line.split("#", 1)[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"the Makefile has no {target} target"
    # what `make test` installs on the system is said there too
    assert "chromium" in first_screen and "postgresql" in first_screen
