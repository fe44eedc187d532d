"""Shared fixtures: a fresh data directory per test, the contract's report schema,
and one generated-and-processed sample batch shared by the end-to-end tests."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The contract lives in ../shared; a copy is kept for machines without it.
SHARED_SCHEMA = ROOT.parent / "shared" / "contracts" / "report.schema.json"
SCHEMA_PATH = SHARED_SCHEMA if SHARED_SCHEMA.exists() else Path(__file__).with_name("data") / "report.schema.json"


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


# The installed entry point (pyproject's [project.scripts]), as a user runs it.
SOHOA_COMMAND = [str(Path(sys.executable).with_name("sohoa"))]
if not Path(SOHOA_COMMAND[0]).is_file():  # not installed with its script: the same main()
    SOHOA_COMMAND = [sys.executable, "-m", "sohoa.cli"]


@contextlib.contextmanager
def machine_service_lock(name: str):
    """One holder at a time of a service this machine runs for every test process (RabbitMQ, the S3
    test server):
    a test that restarts it, and a test whose workers need it up, run on parallel xdist
    workers (`make test`: -n 2) and must not overlap."""
    import fcntl
    import tempfile

    path = Path(tempfile.gettempdir()) / f"sohoa-pytest-{name}.lock"
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_sohoa(home: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """The `sohoa` command with SOHOA_HOME=home (and `env` on top of this process's environment)."""
    full_env = {**os.environ, "SOHOA_HOME": str(home), **(env or {})}
    proc = subprocess.run([*SOHOA_COMMAND, *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=1800)
    if check and proc.returncode != 0:
        raise AssertionError(f"sohoa {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "sohoa-home"


@pytest.fixture(scope="session")
def pg_server():
    """The tests' PostgreSQL, once per session: a cluster of their own (tests/pgcluster.py: initdb
    into a temporary directory, a free port, password authentication), or the server
    SOHOA_TEST_PG_URL names (an admin URL able to create databases)."""
    from pgcluster import ExternalPostgres, PostgresSetupError, TestCluster

    override = os.environ.get("SOHOA_TEST_PG_URL")
    if override:
        yield ExternalPostgres(override)
        return
    try:
        cluster = TestCluster.create()
    except PostgresSetupError as exc:
        pytest.fail(f"the tests' PostgreSQL could not be started: {exc}")
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def pg_admin_url(pg_server) -> str:
    """An admin URL (database `postgres`) of the tests' PostgreSQL."""
    return pg_server.admin_url


@contextlib.contextmanager
def _fresh_pg_database(pg_server):
    """A new, empty database (its URL), dropped afterwards (waiting out a test that stopped
    and restarted the server)."""
    from sqlalchemy import create_engine, text

    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {pg_server.database_url('postgres').split('@')[-1]} unreachable: {exc}")
    try:
        yield pg_server.database_url(name)
    finally:
        for _ in range(30):
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except Exception:
                time.sleep(1)
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_url(request, tmp_path):
    """A fresh, empty catalogue database of each kind; PostgreSQL ones are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
        return
    with _fresh_pg_database(request.getfixturevalue("pg_server")) as url:
        yield url


@pytest.fixture
def pg_database_url(pg_server):
    """A fresh, empty PostgreSQL database (its URL), dropped afterwards: for tests that
    run other processes (workers, the CLI) against it."""
    with _fresh_pg_database(pg_server) as url:
        yield url


# --- the verifier workbench in a real browser (tests/test_ui_browser.py, tests/test_ui_walkthrough.py) ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve_ui(home: Path, command: str = "ui", *args: str):
    """`sohoa ui` (or `sohoa serve`: API + workbench) on a free port over the data directory `home`,
    with the options `args`: a context manager giving its base URL."""
    import contextlib
    import socket
    import time

    @contextlib.contextmanager
    def running():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "sohoa.cli", command, "--port", str(port), *args], cwd=ROOT,
                                env={**os.environ, "SOHOA_HOME": str(home)}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise AssertionError(proc.stderr.read().decode()) from None
                    if time.monotonic() > deadline:
                        raise AssertionError(f"sohoa {command} did not start in 60 s") from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(10)

    return running()


@pytest.fixture(scope="session")
def ui_shots(tmp_path_factory) -> Path:
    """Where the browser tests put their screenshots: a temporary directory, never the tracked
    docs/ui/ (SOHOA_UI_SCREENSHOTS=docs/ui regenerates the documentation's images on purpose)."""
    wanted = os.environ.get("SOHOA_UI_SCREENSHOTS")
    if not wanted:
        return tmp_path_factory.mktemp("ui-shots")
    path = Path(wanted).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def ui_browser():
    """Debian's chromium, headless, through Playwright (one per test module)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
