"""Read the bundled, sourced cost tables in ``cost/data`` (small CSV files, bounded in size)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from modeldeps.errors import CostError, InputError

#: A bundled table is a few kilobytes; anything near this is not ours.
MAX_TABLE_BYTES = 2 * 1024 * 1024

Row = Mapping[str, str]


def read_csv_text(text: str, *, name: str) -> tuple[Row, ...]:
    """Parse CSV text with a header row; every row keeps its columns as stripped strings."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[Row] = []
    for lineno, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError("row has more fields than the header", file=name, line=lineno)
        rows.append({k: (v or "").strip() for k, v in raw.items()})
    return tuple(rows)


def read_csv_file(path: Path) -> tuple[Row, ...]:
    """Parse a CSV file from disk, refusing files larger than ``MAX_TABLE_BYTES``."""
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise InputError(
                f"file is {size} bytes; the limit is {MAX_TABLE_BYTES}", file=str(path)
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    return read_csv_text(text, name=str(path))


@cache
def bundled(name: str) -> tuple[Row, ...]:
    """A table shipped in ``modeldeps/cost/data``."""
    ref = resources.files("modeldeps.cost").joinpath("data", name)
    try:
        data = ref.read_bytes()
    except OSError:
        raise CostError(f"bundled cost table {name} is missing") from None
    if len(data) > MAX_TABLE_BYTES:
        raise CostError(f"bundled cost table {name} is too large")
    return read_csv_text(data.decode("utf-8"), name=f"cost/data/{name}")


def num(value: str) -> float | None:
    """A float from a table cell; empty means unknown."""
    if not value:
        return None
    return float(value)


def integer(value: str) -> int | None:
    """An int from a table cell; empty means unknown."""
    if not value:
        return None
    return int(value)


def split_list(value: str) -> tuple[str, ...]:
    """A ``;``-separated cell as a tuple of stripped, non-empty items."""
    return tuple(item.strip() for item in value.split(";") if item.strip())
