"""Real Celery workers, real faults (issue 4: fault tolerance and scaling).

Each test runs `celery -A sohoa.worker worker` subprocesses (each in its own
session, so a kill -9 takes its whole process group) and `sohoa process` as a
subprocess, on a fresh database of the tests' own PostgreSQL cluster (conftest's
pg_server: stopped and started again for the outage), a fresh SOHOA_HOME and a private
bucket prefix on the Ceph RGW test server, reached through a gateway of this
module's own (scripts/s3-test-server.sh start-gateway DIR NAME PORT): stopping
it leaves the shared gateway on 7480, and the mon/OSD that hold the objects,
alone. Faults: kill -9 of workers at random points, the S3 gateway down,
PostgreSQL down, the broker restarted without persistence. Afterwards the
archive must hold every good document exactly once, catalogue and bucket
agree version by version, and the audit chain has no fork and verifies; each
outage test checks that a task met the outage and was retried.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from conftest import machine_service_lock
from sohoa.archive.catalogue import verify_audit_chain
from sohoa.archive.models import BatchItem, Document, FieldValue, StoredObject
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

pytestmark = [pytest.mark.slow, pytest.mark.workers]

ROOT = Path(__file__).resolve().parent.parent
S3_SCRIPT = ROOT / "scripts" / "s3-test-server.sh"
SERVICES = ROOT / "scripts" / "services.sh"
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672"


# -- helpers ------------------------------------------------------------------------------

def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _s3_answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _wait(cond, timeout: float, what: str, every: float = 0.3) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# -- session fixtures ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def services():
    """Redis and RabbitMQ (PostgreSQL is the tests' own cluster: conftest's pg_server)."""
    proc = subprocess.run(["bash", str(SERVICES), "redis", "rabbitmq"], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"services.sh failed: {proc.stderr[-2000:]}")


def _cluster_dir() -> Path:
    """The directory of the running RGW test cluster, booting one when none answers."""
    candidates = [os.environ.get("SOHOA_S3_TEST_DIR"), "/tmp/sohoa-s3-pytest", "/tmp/sohoa-s3-test"]
    if _s3_answers(7480):
        for c in filter(None, candidates):
            pidf = Path(c) / "run" / "mon.a.pid"
            if (Path(c) / "ceph.conf").exists() and pidf.exists() and Path(f"/proc/{pidf.read_text().strip()}").exists():
                return Path(c)
        pytest.skip("an S3 server answers on 7480 but its Ceph directory is unknown (set SOHOA_S3_TEST_DIR)")
    d = Path(candidates[0] or "/tmp/sohoa-s3-pytest")
    proc = subprocess.run(["bash", str(S3_SCRIPT), "start", str(d)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail(f"s3-test-server.sh start failed:\n{proc.stderr[-3000:]}")
    return d


@pytest.fixture(scope="session")
def gateway(services):
    """A gateway of our own onto the RGW test cluster: (cluster dir, name, port, env)."""
    d = _cluster_dir()
    env = dict(line.split("=", 1) for line in subprocess.run(
        ["bash", str(S3_SCRIPT), "env", str(d)], capture_output=True, text=True).stdout.splitlines() if "=" in line)
    name, port = f"w{os.getpid() % 100000}", _free_port()
    gw = Gateway(d, name, port)
    gw.start()
    env["SOHOA_S3_ENDPOINT"] = f"127.0.0.1:{port}"
    yield gw, env
    gw.stop()


class Gateway:
    def __init__(self, cluster: Path, name: str, port: int):
        self.cluster, self.name, self.port = cluster, name, port

    def _run(self, cmd: str) -> None:
        proc = subprocess.run(["bash", str(S3_SCRIPT), cmd, str(self.cluster), self.name, str(self.port)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{cmd}: {proc.stderr[-2000:]}"

    def start(self) -> None:
        self._run("start-gateway")

    def stop(self) -> None:
        self._run("stop-gateway")


def _sample(tmp_path_factory, name: str, docs: int, seed: int) -> Path:
    out = tmp_path_factory.mktemp(name)
    subprocess.run([sys.executable, "-m", "sohoa.cli", "sample", str(out / "s"), "--docs", str(docs),
                    "--seed", str(seed), "--degradation", "light"], check=True, cwd=ROOT, capture_output=True,
                   timeout=600)
    return out / "s"


@pytest.fixture(scope="session")
def small_batch(tmp_path_factory) -> Path:
    return _sample(tmp_path_factory, "small", 8, 23)


@pytest.fixture(scope="session")
def batch30(tmp_path_factory) -> Path:
    return _sample(tmp_path_factory, "b30", 30, 11)


# -- one stack per test -------------------------------------------------------------------

class Stack:
    """Catalogue, broker, store, workers and the `process` command of one test."""

    def __init__(self, tmp: Path, db_url: str, broker_url: str, s3_env: dict, **settings: str):
        self.tmp, self.db_url, self.broker_url = tmp, db_url, broker_url
        self.home = tmp / "home"
        self.prefix = f"sw-{uuid.uuid4().hex[:10]}"
        self.env = {**os.environ, **s3_env, "SOHOA_HOME": str(self.home), "SOHOA_DB_URL": db_url,
                    "SOHOA_BROKER_URL": broker_url, "SOHOA_BUCKET_PREFIX": self.prefix,
                    "SOHOA_BROKER_VISIBILITY_TIMEOUT": "20", "SOHOA_RETRY_MAX_DELAY": "5",
                    "SOHOA_RESUBMIT_AFTER": "0", "SOHOA_OCR_JOBS": "1", "PYTHONUNBUFFERED": "1"}
        self.env.update({f"SOHOA_{k.upper()}": str(v) for k, v in settings.items()})
        self.workers: dict[str, subprocess.Popen] = {}
        self.logs: list[Path] = []
        self.starts = Counter()
        self.process: subprocess.Popen | None = None
        self.engine = create_engine(db_url, pool_pre_ping=True)

    # workers
    def start_worker(self, name: str = "w1", concurrency: int = 1) -> None:
        self.starts[name] += 1
        log = self.tmp / f"worker-{name}-{self.starts[name]}.log"
        self.logs.append(log)
        self.workers[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sohoa.worker", "worker", "-c", str(concurrency),
             "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)

    def busy(self, name: str) -> bool:
        """The worker's current process has received a task."""
        log = self.tmp / f"worker-{name}-{self.starts[name]}.log"
        return log.exists() and "] received" in log.read_text(errors="replace")

    def kill_worker(self, name: str) -> None:
        proc = self.workers.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the main process and its pool children
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop_workers(self) -> None:
        for name in list(self.workers):
            proc = self.workers.pop(name)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    # the CLI
    def sohoa(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "sohoa.cli", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"sohoa {' '.join(args)}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    def submit(self, sample: Path) -> Path:
        self.sohoa("registry", "import", str(sample / "registry.jsonl"))
        self.report = self.tmp / "report.json"
        self.process_log = self.tmp / "process.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sohoa.cli", "process", str(sample / "batch"), "--report", str(self.report)],
            cwd=ROOT, env=self.env, stdout=self.process_log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        return self.report

    def wait_process(self, timeout: float = 400) -> dict:
        assert self.process is not None
        try:
            rc = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError(f"sohoa process did not finish in {timeout:.0f} s; last lines:\n"
                                 + self.process_log.read_text()[-3000:] + "\n" + self.progress_text())
        assert rc == 0, f"sohoa process exited {rc}:\n{self.process_log.read_text()[-3000:]}"
        return json.loads(self.report.read_text("utf-8"))

    # observing
    def done_count(self) -> int:
        try:
            with self.engine.connect() as c:
                return c.scalar(select(func.count()).select_from(BatchItem).where(
                    BatchItem.stage == "done", BatchItem.status != "rejected")) or 0
        except Exception:
            return -1

    def progress_text(self) -> str:
        try:
            with self.engine.connect() as c:
                return str(c.execute(select(BatchItem.stage, func.count()).group_by(BatchItem.stage)).all())
        except Exception as exc:
            return f"(catalogue unreadable: {exc})"

    def worker_log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def figures(self) -> dict:
        logs = self.worker_log_text()
        # a retry is received again under the same id; anything more is a redelivery
        received = Counter(re.findall(r"Task sohoa\.\w+\[([0-9a-f-]{36})\] received", logs))
        retried = Counter(re.findall(r"Task sohoa\.\w+\[([0-9a-f-]{36})\] retry:", logs))
        return {
            "tasks_received": len(received),
            "redelivered": sum(1 for t, n in received.items() if n > 1 + retried[t]),
            "retries": len(re.findall(r"transient fault, retrying", logs)),
            # celery's result backend (the catalogue's database) retrying a task's result write
            "backend_retries": len(re.findall(r"Failed operation \w+\. Retrying", logs)),
            "resubmitted": sum(len(re.findall(r"submitting \d+ unfinished", f.read_text(errors="replace")))
                               for f in (self.home / "logs").glob("*") if f.is_file()),
        }

    def close(self) -> None:
        self.stop_workers()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.engine.dispose()


def check_batch(stack: Stack, sample: Path, report: dict, schema: dict, s3_env: dict) -> dict:
    """Report valid, good documents archived exactly once, catalogue == bucket."""
    from sohoa.archive.s3store import S3ObjectStore
    from sohoa.core.storage import ObjectRef

    jsonschema.validate(report, schema)
    expected = [json.loads(line) for line in (sample / "expected.jsonl").read_text("utf-8").splitlines() if line]
    expected = [e for e in expected if e.get("source")]  # the rest: registry records nothing matches
    by_source = {d["source"]: d for d in report["documents"]}
    good = [e["source"] for e in expected if e["status"] != "rejected"]
    assert set(by_source) == {e["source"] for e in expected}
    lost = [s for s in good if by_source[s]["status"] == "rejected" or not by_source[s].get("object")]
    assert not lost, f"good documents not archived: {[(s, by_source[s].get('reason')) for s in lost]}"

    with stack.engine.connect() as c:
        items = c.execute(select(BatchItem.source, BatchItem.stage)).all()
        assert items and all(stage == "done" for _, stage in items), items
        docs = c.execute(select(Document.document_id, Document.content_sha256)).all()
        hashes = Counter(h for _, h in docs)
        assert all(n == 1 for n in hashes.values())
        objects = c.execute(select(StoredObject.document_id, StoredObject.bucket, StoredObject.key,
                                   StoredObject.version_id, StoredObject.sha256, StoredObject.size)).all()
        per_doc = Counter(o.document_id for o in objects)
        assert set(per_doc) == {d for d, _ in docs} and all(n == 1 for n in per_doc.values()), per_doc
        dup_fields = c.execute(select(FieldValue.document_id, FieldValue.name, func.count())
                               .group_by(FieldValue.document_id, FieldValue.name)
                               .having(func.count() > 1)).all()
        assert not dup_fields, dup_fields
        audit_forks = c.execute(text(
            "SELECT count(*) FROM (SELECT prev_hash FROM audit_events GROUP BY prev_hash HAVING count(*) > 1) x"
        )).scalar()
    # The chain is appended under a lock (archive/catalogue.audit): whatever the faults, no two
    # events may follow the same one, and the chain verifies from its first event to its last.
    assert audit_forks == 0, f"{audit_forks} forks in the audit chain"
    with Session(stack.engine) as session:
        chain_problems = verify_audit_chain(session)
    assert not chain_problems, chain_problems[:10]
    # the report's document ids are the catalogue's
    archived_ids = {by_source[s]["document_id"] for s in good}
    assert archived_ids == {d for d, _ in docs}

    # the bucket, version by version, against the catalogue
    store = S3ObjectStore(s3_env["SOHOA_S3_ENDPOINT"], s3_env["SOHOA_S3_ACCESS_KEY"], s3_env["SOHOA_S3_SECRET_KEY"])
    bucket = f"{stack.prefix}-archive"
    listed = [(o.object_name, o.version_id) for o in store.client.list_objects(
        bucket, recursive=True, include_version=True) if not o.is_delete_marker]
    catalogued = {(o.key, o.version_id) for o in objects}
    orphans = [v for v in listed if v not in catalogued]
    missing = [v for v in catalogued if v not in set(listed)]
    assert not orphans, f"versions in the bucket the catalogue does not know: {orphans}"
    assert not missing, f"catalogued versions missing from the bucket: {missing}"
    for o in objects:
        data = store.get(ObjectRef(o.bucket, o.key, o.version_id, o.sha256, o.size))  # checks sha256  (rows, not ORM objects)
        assert hashlib.sha256(data).hexdigest() == o.sha256 and len(data) == o.size
    return {"documents": len(docs), "objects": len(objects), "versions_in_bucket": len(listed),
            "orphans": len(orphans), "duplicates": sum(n - 1 for n in hashes.values()),
            "audit_forks": audit_forks}


@pytest.fixture
def make_stack(tmp_path, pg_database_url, gateway):
    stacks = []
    _, s3_env = gateway

    def make(broker_url: str, **settings) -> Stack:
        st = Stack(tmp_path, pg_database_url, broker_url, s3_env, **settings)
        stacks.append(st)
        return st

    yield make
    for st in stacks:
        st.close()


@pytest.fixture
def redis_url(services, tmp_path):
    """A Redis server of this test's own: a database of the shared one (numbered 8-15 at random)
    could hold another session's tasks, which this test's workers would then take."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield f"redis://127.0.0.1:{redis.port}/0"
    redis.shutdown()


@pytest.fixture
def rabbit_url(services):
    """A RabbitMQ virtual host of this test's own, deleted afterwards."""
    vhost = f"sohoa-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True, timeout=60)
    yield f"{RABBIT_URL}/{vhost}"
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=60)


def _broker(request, name: str) -> str:
    return request.getfixturevalue("redis_url" if name == "redis" else "rabbit_url")


def _record(request, name: str, figures: dict) -> None:
    line = f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    print("\n" + line)
    out = os.environ.get("SOHOA_WORKERS_FIGURES")
    if out:
        with open(out, "a") as fh:
            fh.write(line + "\n")


# -- a. both brokers ------------------------------------------------------------------------

@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_batch_on_workers(request, make_stack, small_batch, report_schema, gateway, broker):
    st = make_stack(_broker(request, broker))
    st.start_worker("w1", concurrency=2)
    st.submit(small_batch)
    report = st.wait_process(timeout=300)
    result = check_batch(st, small_batch, report, report_schema, gateway[1])
    _record(request, f"a/{broker}", {**result, **st.figures()})


# -- b. kill -9 ten times ---------------------------------------------------------------

def test_workers_killed_ten_times(request, make_stack, batch30, report_schema, gateway, redis_url):
    # Late ack and the visibility timeout bring back what a killed worker held, but
    # kombu's Redis transport has windows where a kill -9 loses a message outright
    # (between BRPOP and recording it as unacked; kombu #1405, #1836). The batch
    # watchdog (settings.resubmit_after, 600 s by default) is the net under that:
    # here 60 s so that the test finishes; a resubmitted document is not archived twice.
    st = make_stack(redis_url, resubmit_after=60)
    rng = random.Random(int(os.environ.get("SOHOA_KILL_SEED", "4")))
    st.start_worker("w1")
    st.start_worker("w2")
    st.submit(batch30)
    kills, done_at_kill = 0, []
    time.sleep(5)
    while kills < 10 and st.process.poll() is None:
        victim = rng.choice(sorted(st.workers))
        # A kill must hit a worker holding a task: on a loaded machine a worker just restarted
        # may still be booting. Then random points, close together so that all ten land inside
        # the batch: OCR pages, chords, signing, storing and cataloguing are all hit across the run.
        _wait(lambda: st.busy(victim) or st.process.poll() is not None, 120, f"worker {victim} to take a task", 0.5)
        time.sleep(rng.uniform(0.5, 6.0))
        if st.process.poll() is not None:
            break
        st.kill_worker(victim)
        kills += 1
        done_at_kill.append(st.done_count())
        time.sleep(rng.uniform(0.2, 2.0))
        st.start_worker(victim)
    report = st.wait_process(timeout=480)
    assert kills == 10, f"the batch finished after {kills} kills"
    result = check_batch(st, batch30, report, report_schema, gateway[1])
    figures = {"kills": kills, "done_at_kills": done_at_kill, **result, **st.figures()}
    _record(request, "b/kill-9", figures)
    assert figures["redelivered"] > 0, "no task was redelivered: the kills hit nothing?"


# -- c. S3 gateway and PostgreSQL away for ~10 s ------------------------------------------------

def _when_mid_batch(st: Stack, n: int = 1, timeout: float = 300) -> None:
    """Once n documents are archived (more are on their way to the store)."""
    _wait(lambda: st.done_count() >= n or st.process.poll() is not None, timeout, f"{n} documents done")
    assert st.process.poll() is None, "the batch finished before the fault"


def test_s3_gateway_down_mid_batch(request, make_stack, small_batch, report_schema, gateway, redis_url):
    gw, s3_env = gateway
    st = make_stack(redis_url)
    st.start_worker("w1", concurrency=2)
    st.submit(small_batch)
    _when_mid_batch(st)
    try:
        gw.stop()
        assert not _s3_answers(gw.port)
        # down until a task has met its absence (on a loaded machine the next store
        # may come well after 10 s), then at least 10 s
        t_down = time.monotonic()
        _wait(lambda: st.figures()["retries"] > 0 or st.process.poll() is not None, 300,
              "a task to meet the store's absence", every=1.0)
        time.sleep(max(0.0, 10 - (time.monotonic() - t_down)))
    finally:
        gw.start()
    report = st.wait_process(timeout=400)
    result = check_batch(st, small_batch, report, report_schema, s3_env)
    figures = {**result, **st.figures()}
    _record(request, "c/s3-gateway-down", figures)
    assert figures["retries"] > 0, "no task met the store's absence"


def test_postgresql_down_mid_batch(request, make_stack, small_batch, report_schema, gateway, redis_url, pg_server):
    from pgcluster import TestCluster

    if not isinstance(pg_server, TestCluster):
        pytest.skip("SOHOA_TEST_PG_URL names the server: the outage needs the tests' own cluster to stop")
    st = make_stack(redis_url)
    st.start_worker("w1", concurrency=2)
    st.submit(small_batch)
    _when_mid_batch(st)
    def met() -> int:  # a task met the catalogue's absence: in its own work, or writing its result
        f = st.figures()
        return f["retries"] + f["backend_retries"]

    retries_before = met()  # none in a run without faults
    try:
        pg_server.stop()
        assert not pg_server.up()
        # Down until a task has met the catalogue's absence and was retried -- in its own work
        # (its 'transient fault, retrying') or writing its result to the backend, the same database
        # (celery's 'Failed operation _store_result. Retrying'; celery cannot log its own retry line
        # then) -- then at least 10 s. Counted while the server is down, so the retries are the outage's.
        t_down = time.monotonic()
        _wait(lambda: met() > retries_before or st.process.poll() is not None, 300,
              "a task to meet the catalogue's absence", every=1.0)
        retries_while_down = met() - retries_before
        time.sleep(max(0.0, 10 - (time.monotonic() - t_down)))
    finally:
        pg_server.start()
    report = st.wait_process(timeout=400)
    result = check_batch(st, small_batch, report, report_schema, gateway[1])
    figures = {**result, **st.figures(), "retries_while_down": retries_while_down}
    _record(request, "c/postgresql-down", figures)
    assert retries_while_down > 0, "no task met the catalogue's absence"


# -- d. the broker restarted --------------------------------------------------------------------

def _supervise(st: Stack, timeout: float) -> int:
    """Restart a worker that exits until the batch is done; how many exits.
    celery 5.7 / kombu 5.7: a worker may exit with "Unrecoverable error: AttributeError
    ('NoneType' object has no attribute 'hostname')" when Redis drops its connection.
    Production runs workers under a supervisor that restarts them; so does this test."""
    exits, end = 0, time.monotonic() + timeout
    while st.process.poll() is None and time.monotonic() < end:
        for name, proc in list(st.workers.items()):
            if proc.poll() is not None:
                exits += 1
                st.workers.pop(name)
                st.start_worker(name, concurrency=2)
        time.sleep(1)
    return exits


class PrivateRedis:
    """A Redis of this test's own, started as scripts/services.sh starts the shared one
    (no persistence: a restart loses every message it held), on its own port."""

    def __init__(self, tmp: Path):
        self.port, self.dir = _free_port(), tmp / "redis"
        self.dir.mkdir()

    def start(self) -> None:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.port),
                        "--save", "", "--appendonly", "no", "--dir", str(self.dir),
                        "--logfile", str(self.dir / "redis.log"), "--pidfile", str(self.dir / "redis.pid")],
                       check=True, capture_output=True)
        _wait(lambda: _port_open(self.port), 30, "Redis")

    def shutdown(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=30)
        _wait(lambda: not _port_open(self.port), 30, "Redis to stop")


def test_redis_restart_mid_batch(request, make_stack, small_batch, report_schema, gateway, tmp_path, services):
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        # a lost message is noticed when no document moved for 20 s, then resubmitted
        st = make_stack(f"redis://127.0.0.1:{redis.port}/0", resubmit_after=20)
        st.start_worker("w1", concurrency=2)
        st.submit(small_batch)
        _when_mid_batch(st, n=1)
        redis.shutdown()
        time.sleep(5)
        redis.start()
        crashed = _supervise(st, 400)
        report = st.wait_process(timeout=30)
        result = check_batch(st, small_batch, report, report_schema, gateway[1])
        _record(request, "d/redis-restart", {**result, **st.figures(), "worker_exits": crashed})
    finally:
        subprocess.run(["redis-cli", "-p", str(redis.port), "shutdown", "nosave"], capture_output=True, timeout=30)


def test_rabbitmq_restart_mid_batch(request, make_stack, small_batch, report_schema, gateway, rabbit_url):
    """RabbitMQ keeps the durable queue's persistent messages across a restart of the broker
    application (every client connection dropped): nothing needs resubmitting."""
    st = make_stack(rabbit_url)
    st.start_worker("w1", concurrency=2)
    st.submit(small_batch)
    _when_mid_batch(st, n=1)
    with machine_service_lock("rabbitmq"):  # no other test's worker is using the broker meanwhile
        try:
            subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True, timeout=120)
            time.sleep(5)
        finally:
            subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True, timeout=120)
    crashed = _supervise(st, 400)
    report = st.wait_process(timeout=30)
    result = check_batch(st, small_batch, report, report_schema, gateway[1])
    figures = {**result, **st.figures(), "worker_exits": crashed}
    _record(request, "d/rabbitmq-restart", figures)
    assert figures["resubmitted"] == 0
