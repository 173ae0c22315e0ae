"""A throwaway PostgreSQL cluster on 127.0.0.1 for the test session.

``python tests/pg_cluster.py run -- CMD...`` starts a cluster in a temporary folder, runs CMD
with ``MODELDEPS_TEST_POSTGRES`` set to its URL, stops the cluster and removes the folder,
and exits with CMD's code. PostgreSQL refuses to run as root, so as root the server runs as
the ``postgres`` user Debian's package creates (else ``nobody``). ``start``/``stop`` are the
same steps for the test fixture when no cluster was handed over.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ENV = "MODELDEPS_TEST_POSTGRES"
USER = "modeldeps"


def _bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed (initdb not found); `make test` installs Debian's "
            "postgresql package, or run: apt-get install postgresql"
        )
    return Path(versions[-1]).parent


def _account() -> tuple[int, int] | None:
    """The uid/gid to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) exists")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(cmd: list[str], account: tuple[int, int] | None, log: Path | None = None) -> None:
    kwargs: dict[str, object] = {}
    if account is not None:
        kwargs.update(user=account[0], group=account[1], extra_groups=[])
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(
            f"{' '.join(cmd[:2])} failed ({done.returncode}): {done.stderr.strip()[-2000:]} {tail}"
        )


def start(base: Path) -> str:
    """Start a cluster with its data under ``base``; return its URL."""
    bindir = _bindir()
    account = _account()
    base.mkdir(parents=True, exist_ok=True)
    data, log = base / "data", base / "server.log"
    if account is not None:
        os.chown(base, *account)
        base.chmod(0o700)
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
        account,
    )
    port = _free_port()
    # Durability off: the cluster lives for one test session; nothing in it must survive.
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        account,
        log,
    )
    url = f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
    (base / "url").write_text(url)
    return url


def stop(base: Path) -> None:
    """Stop the cluster under ``base`` (if it runs) and remove its folder."""
    data = base / "data"
    if (data / "postmaster.pid").exists():
        try:
            _run(
                [str(_bindir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                _account(),
            )
        except RuntimeError as exc:
            print(f"warning: {exc}", file=sys.stderr)
    shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "run":
        cmd = argv[2:] if argv[1] == "--" else argv[1:]
        base = Path(tempfile.mkdtemp(prefix="modeldeps-pg-"))
        try:
            url = start(base)
        except RuntimeError as exc:
            shutil.rmtree(base, ignore_errors=True)
            print(f"error: cannot start PostgreSQL for the tests: {exc}", file=sys.stderr)
            return 1
        try:
            return subprocess.call(cmd, env={**os.environ, ENV: url})
        finally:
            stop(base)
    print("usage: pg_cluster.py run -- COMMAND...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
