"""modeldeps: inventory, provenance, risk and cost of the AI models your software depends on."""

from __future__ import annotations

__version__ = "0.1.0"
