"""Optional features and the extras that install them: a missing one is exit 2 saying which."""

from __future__ import annotations

import importlib.util

from modeldeps.errors import UsageError

#: Extra name → (what it enables, the modules it must bring). A test keeps it in step with
#: pyproject.toml's optional dependencies.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cost": ("`modeldeps cost`", ("genai_prices",)),
    "online": ("--online and --hf-cache", ("huggingface_hub",)),
    "store": (
        "the scan store (--save, scan-many, history, org-report, serve)",
        ("sqlalchemy", "alembic"),
    ),
    "postgres": ("a PostgreSQL store", ("psycopg",)),
    "ray": ("--executor ray", ("ray",)),
    "web": ("`modeldeps serve`", ("starlette", "uvicorn")),
}


def require(extra: str) -> None:
    """Stop with a usage error naming the extra unless its modules can be imported."""
    feature, modules = EXTRAS[extra]
    missing = [m for m in modules if not _importable(m)]
    if missing:
        raise UsageError(
            f"{feature} needs the '{extra}' extra ({', '.join(missing)} is not installed): "
            f"pip install 'modeldeps[{extra}]'"
        )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken one
        return False
