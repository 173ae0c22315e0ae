"""Shared fixtures: no network, an isolated cache, and fakes for each extension seam."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.model import ArtifactInfo, Dependency, Location, ModelReference, RefKind
from modeldeps.report.interface import RenderOptions, Reporter

_real_connect = socket.socket.connect


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # AF_UNIX sockets stay local


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise RuntimeError(f"tests must not touch the network (tried to connect to {address!r})")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with outbound connections refused, loopback excepted."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A per-test cache directory, so no test sees another's cache or the user's."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    yield cache


@pytest.fixture(autouse=True)
def _isolated_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's scan store (the default one or $MODELDEPS_STORE)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("MODELDEPS_STORE", raising=False)


# --- fakes for the extension seams (test doubles of the seams, not of our implementations) -----


class FakeDetector(Detector):
    """Reports every line containing ``MODEL=<value>`` as a hub model reference."""

    name: ClassVar[str] = "fake"
    suffixes: ClassVar[frozenset[str]] = frozenset({".fake"})
    keywords: ClassVar[tuple[bytes, ...]] = (b"MODEL=",)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        for number, line in enumerate(source.text.splitlines(), start=1):
            if line.startswith("MODEL="):
                yield ModelReference(
                    RefKind.HUB_MODEL, line[6:].strip(), Location(source.rel, number), self.name
                )


class FakeInspector(Inspector):
    """Claims files starting with ``FAKEW`` and reports their size."""

    name: ClassVar[str] = "fake-weights"
    suffixes: ClassVar[frozenset[str]] = frozenset({".fakew"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return head.startswith(b"FAKEW")

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        return ArtifactInfo(Location(ctx.rel), self.name, ctx.size, bytes_read=5)


class FakeReporter(Reporter):
    """One line per reference."""

    name: ClassVar[str] = "fake"

    def render(self, result: Any, options: RenderOptions) -> str:
        return "".join(f"{r.kind.value} {r.value}\n" for r in result.references)


@pytest.fixture
def fake_detector() -> FakeDetector:
    return FakeDetector()


@pytest.fixture
def fake_inspector() -> FakeInspector:
    return FakeInspector()


@pytest.fixture
def fake_reporter() -> FakeReporter:
    return FakeReporter()
