"""Shared fixtures: a fresh data directory per test, the contract's report schema,
and one generated-and-processed sample batch shared by the end-to-end tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The contract lives in ../shared; a copy is kept for machines without it.
SHARED_SCHEMA = ROOT.parent / "shared" / "contracts" / "report.schema.json"
SCHEMA_PATH = SHARED_SCHEMA if SHARED_SCHEMA.exists() else Path(__file__).with_name("data") / "report.schema.json"


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


def run_sohoa(home: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SOHOA_HOME": str(home), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "sohoa.cli", *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=1800)
    if check and proc.returncode != 0:
        raise AssertionError(f"sohoa {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "sohoa-home"


PG_ADMIN_URL = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_url(request, tmp_path):
    """A fresh, empty catalogue database of each kind; PostgreSQL ones are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
        return
    import uuid

    from sqlalchemy import create_engine, text

    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the services script starts PostgreSQL; say clearly when it is not there
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} unreachable: {exc}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database_url():
    """A fresh, empty PostgreSQL database (its URL), dropped afterwards: for tests that
    run other processes (workers, the CLI) against it."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} unreachable: {exc}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        for _ in range(30):  # a test may have restarted PostgreSQL: wait for it
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except Exception:
                import time

                time.sleep(1)
        admin.dispose()
