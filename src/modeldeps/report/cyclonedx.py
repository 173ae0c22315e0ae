"""CycloneDX 1.6 JSON report; the BOM is built in ``cyclonedx_bom`` (imported only when used)."""

from __future__ import annotations

import json
from typing import ClassVar

from modeldeps.model import ScanResult
from modeldeps.report.interface import RenderOptions, Reporter


class CycloneDxReporter(Reporter):
    """CycloneDX 1.6 JSON, validated against the official schema before it is returned."""

    name: ClassVar[str] = "cyclonedx"
    suffix: ClassVar[str] = ".cdx.json"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        # cyclonedx-python-lib takes ~0.1 s to import; only this format pays for it.
        from modeldeps.report.cyclonedx_bom import bom_data, validate

        text = json.dumps(bom_data(result, options), indent=2, ensure_ascii=False) + "\n"
        validate(text)
        return text
