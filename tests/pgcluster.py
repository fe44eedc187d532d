"""The tests' own PostgreSQL: a cluster made with `initdb` into a temporary directory, on a free
port of 127.0.0.1, with password (scram-sha-256) authentication for TCP connections and a
generated password for its superuser. Nothing is assumed about a PostgreSQL configured outside
the repository (Debian's default pg_hba.conf asks a password on 127.0.0.1, so a test that
connected as `postgres` without one worked only where someone had set `trust`).

Run as root, the cluster runs as the `postgres` user (initdb refuses root). The newest
PostgreSQL installed under /usr/lib/postgresql (Debian's layout) is used, else the one on PATH.
`SOHOA_TEST_PG_URL` (an admin URL able to create databases) replaces the cluster altogether.
"""
from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
PREFIX = "sohoa-pg-"
OWNER = "owner.pid"  # the pid of the test session that made the cluster


class PostgresSetupError(RuntimeError):
    """The tests' PostgreSQL could not be made or started (the message says which step)."""


def newest_bin_dir() -> Path:
    """The bin directory of the newest PostgreSQL installed (/usr/lib/postgresql/<major>/bin),
    else the directory of an `initdb` on PATH."""
    def major(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

    found = sorted((p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()), key=major)
    if found:
        return found[-1]
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresSetupError("no PostgreSQL server installed (no /usr/lib/postgresql/*/bin/initdb, no initdb on "
                             "PATH): apt-get install postgresql, or set SOHOA_TEST_PG_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


@dataclass
class ExternalPostgres:
    """A server given by SOHOA_TEST_PG_URL: used as it is, never stopped."""

    admin_url: str

    def database_url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name


class TestCluster:
    """A private cluster: create(), then admin_url / database_url(); stop() and start() (the
    PostgreSQL-outage test); destroy() stops it and removes its directory."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, base: Path, bin_dir: Path, port: int, password: str, run_as: str | None):
        self.base, self.bin_dir, self.port, self.password, self.run_as = base, bin_dir, port, password, run_as
        self.data = base / "data"
        self.log = base / "postgresql.log"

    # -- making it ---------------------------------------------------------------------------

    @classmethod
    def create(cls, parent: str | None = None) -> TestCluster:
        bin_dir = newest_bin_dir()
        run_as = None
        if os.geteuid() == 0:  # initdb will not run as root: the cluster belongs to `postgres`
            try:
                pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise PostgresSetupError("running as root and there is no `postgres` user to own the "
                                         "tests' cluster (apt-get install postgresql makes one)") from None
            run_as = SUPERUSER
        cls.remove_abandoned(bin_dir, run_as, parent)
        base = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        (base / OWNER).write_text(str(os.getpid()))
        cluster = cls(base, bin_dir, free_port(), secrets.token_urlsafe(24), run_as)
        try:
            cluster._initdb()
            cluster.start()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    @classmethod
    def remove_abandoned(cls, bin_dir: Path, run_as: str | None, parent: str | None = None) -> None:
        """Stop and remove the clusters of test sessions that ended without destroying theirs
        (killed by a timeout, say): each records the process that made it."""
        for base in Path(parent or tempfile.gettempdir()).glob(PREFIX + "*"):
            try:
                owner = int((base / OWNER).read_text())
            except (OSError, ValueError):
                continue
            if not Path(f"/proc/{owner}").exists():
                cls(base, bin_dir, 0, "", run_as).destroy()

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def _run(self, what: str, *args: str, timeout: float = 120) -> None:
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout, cwd=self.base)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresSetupError(f"{what} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}\n{log}")

    def _initdb(self) -> None:
        pwfile = self.base / "superuser.pw"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.run_as:
            ent = pwd.getpwnam(self.run_as)
            for p in (self.base, pwfile):
                os.chown(p, ent.pw_uid, ent.pw_gid)
        self._run("initdb", str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()
        # Its own port and socket directory, nothing shared with a system cluster; durability
        # traded for speed (a test database is thrown away).
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# sohoa tests (tests/pgcluster.py)\nport = {self.port}\n"
                       "listen_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.base}'\n"
                       "password_encryption = 'scram-sha-256'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "shared_buffers = 32MB\nmax_connections = 200\n")

    # -- running it --------------------------------------------------------------------------

    @property
    def admin_url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{name}"

    def up(self) -> bool:
        return port_open(self.port)

    def start(self) -> None:
        self._run("pg_ctl start", str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-w", "-t", "120", "start")
        deadline = time.monotonic() + 60
        while not self.up():
            if time.monotonic() > deadline:
                raise PostgresSetupError(f"the tests' PostgreSQL did not listen on port {self.port} in 60 s")
            time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl stop", str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (PostgresSetupError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.base, ignore_errors=True)
