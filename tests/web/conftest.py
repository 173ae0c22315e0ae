"""Fixtures of the dashboard tests: one organization store per test session, built by scanning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.orgstore import BuiltStore, build_store


@pytest.fixture(scope="session")
def org_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    """A store holding twelve real scans of four generated repositories (read it, never write)."""
    workdir: Path = tmp_path_factory.mktemp("org")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(workdir / "cache"))
        return build_store(workdir)
