"""Human-readable sizes and counts, shared by every text report and the CLI tables."""

from __future__ import annotations


def human_size(n: int) -> str:
    """Bytes in binary units: ``512 B``, ``1.5 KB``, ``3.2 GB``."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def human_count(n: int | None, missing: str = "") -> str:
    """A parameter count: ``7.6B``, ``135.0M``; ``missing`` when unknown."""
    if n is None:
        return missing
    for div, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if n >= div:
            return f"{n / div:.1f}{suffix}"
    return str(n)
