"""Entry point for ``python -m modeldeps``."""

from __future__ import annotations

from modeldeps.cli import run

if __name__ == "__main__":
    run()
