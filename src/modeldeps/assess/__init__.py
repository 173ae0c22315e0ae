"""Assess stage: rules and policy turn references, identities and artifacts into findings.

The stage lives in ``stage``; this package imports nothing at load time, so that reading the
policy (``assess.policy``, which the CLI does before every scan) does not load every rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modeldeps.assess.stage import assess, finding_sort_key, run_assessment, scan_date

__all__ = ["assess", "finding_sort_key", "run_assessment", "scan_date"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from modeldeps.assess import stage

        return getattr(stage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
