"""The tests' own PostgreSQL (tests/pgcluster.py, fixture pg_server): password authentication as on
a fresh Debian server, a port of its own, and stop/start for the PostgreSQL-outage test."""
from __future__ import annotations

import pytest
from pgcluster import TestCluster, newest_bin_dir
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


@pytest.fixture
def cluster(pg_server) -> TestCluster:
    if not isinstance(pg_server, TestCluster):
        pytest.skip("SOHOA_TEST_PG_URL names the server: the tests made no cluster of their own")
    return pg_server


def _select_one(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT 1")).scalar_one())
    finally:
        engine.dispose()


def test_connections_need_the_generated_password(cluster, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")  # no ~/.pgpass either
    hba = [line.split() for line in (cluster.data / "pg_hba.conf").read_text().splitlines()
           if line.strip() and not line.lstrip().startswith("#")]
    assert {row[-1] for row in hba if row[0] == "host"} == {"scram-sha-256"}
    assert not any(row[-1] == "trust" for row in hba)
    url = cluster.admin_url
    where = f"127.0.0.1:{cluster.port}/postgres"
    for wrong in (f"postgresql+psycopg://postgres@{where}", f"postgresql+psycopg://postgres:not-it@{where}"):
        with pytest.raises(OperationalError, match="password"):
            _select_one(wrong)
    assert _select_one(url) == 1


def test_cluster_is_the_newest_installed_postgresql_on_a_port_of_its_own(cluster):
    assert cluster.bin_dir == newest_bin_dir()
    engine = create_engine(cluster.admin_url)
    try:
        with engine.connect() as conn:
            port = int(conn.execute(text("SHOW port")).scalar_one())
            major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()
    assert port == cluster.port != 5432
    assert str(major) in str(cluster.bin_dir)


def test_stop_and_start(cluster):
    cluster.stop()
    try:
        assert not cluster.up()
        with pytest.raises(OperationalError):
            _select_one(cluster.admin_url)
    finally:
        cluster.start()
    assert cluster.up() and _select_one(cluster.admin_url) == 1
