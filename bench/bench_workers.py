"""Benchmark: workers and storage (issue 4).

    python bench/bench_workers.py [--docs 20] [--seed 5] [--tasks 200] [-n 40] [--skip-batch] [--write]

1. The same generated batch (light degradation) processed by Celery workers over
   Redis, PostgreSQL catalogue, local store: one worker (-c 1), then two workers
   (-c 1 each): documents/minute and the ratio.
2. Queue overhead: a chain of tiny no-op tasks through Redis (result backend: the
   PostgreSQL catalogue, as the pipeline's chords use) vs calling the function
   directly: ms per task; and a group of independent no-op tasks (throughput).
3. Sign + store alone, one process (per core): prepare_pdf + sign_pdf + store.put of
   a 2-page 300 dpi image PDF, on the local store and on the S3 store (Ceph RGW test
   server, when it answers on 127.0.0.1:7480): documents/s. Page 1's ink mask is
   handed to prepare_pdf as the OCR stage hands it over in the pipeline.

Needs PostgreSQL, Redis (scripts/services.sh) and for (3) S3 the RGW test server.
With --write the figures replace the section "Workers and storage (issue 4)" of
bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_ADMIN = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SOHOA_BENCH_REDIS", "redis://127.0.0.1:6379/13")
HEADING = "## Workers and storage (issue 4)"


# -- helpers ----------------------------------------------------------------------------

class Database:
    def __init__(self):
        from sqlalchemy import create_engine, text

        self.name = f"sohoa_bench_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        from sqlalchemy import text

        with self.admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def flush_redis():
    db = REDIS.rsplit("/", 1)[1]
    subprocess.run(["redis-cli", "-n", db, "flushdb"], check=True, capture_output=True)


def start_worker(env, name, concurrency, log, app="sohoa.worker"):
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", app, "worker", "-c", str(concurrency),
                             "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
                             "--without-heartbeat", "--loglevel=WARNING"],
                            cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(procs):
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- 1. one worker vs two -------------------------------------------------------------------

def batch_run(sample: Path, workers: int, tmp: Path) -> dict:
    db = Database()
    flush_redis()
    home = tmp / f"home-{workers}"
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_DB_URL": db.url, "SOHOA_BROKER_URL": REDIS,
           "SOHOA_STORE": "local", "SOHOA_OCR_JOBS": "1"}
    procs = []
    try:
        subprocess.run([sys.executable, "-m", "sohoa.cli", "registry", "import", str(sample / "registry.jsonl")],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        procs = [start_worker(env, f"b{i}", 1, tmp / f"worker-{workers}-{i}.log") for i in range(workers)]
        time.sleep(3)  # workers up before the clock starts
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sohoa.cli", "process", str(sample / "batch"), "--report",
                        str(tmp / f"report-{workers}.json"), "-q"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=3600)
        wall = time.perf_counter() - t0
    finally:
        stop(procs)
        db.drop()
    report = json.loads((tmp / f"report-{workers}.json").read_text("utf-8"))
    docs = len(report["documents"])
    archived = sum(1 for d in report["documents"] if d.get("object"))
    return {"workers": workers, "wall_s": wall, "entries": docs, "archived": archived,
            "docs_per_min": docs / wall * 60, "archived_per_min": archived / wall * 60}


# -- 2. queue overhead ----------------------------------------------------------------------

def queue_overhead(n: int, tmp: Path) -> dict:
    db = Database()
    flush_redis()
    env = {**os.environ, "SOHOA_DB_URL": db.url, "SOHOA_BROKER_URL": REDIS, "SOHOA_HOME": str(tmp / "qhome"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    os.environ.update({k: v for k, v in env.items() if k.startswith("SOHOA_")})
    _configure_app()  # now with the broker: not eager
    assert not app.conf.task_always_eager
    proc = start_worker(env, "q", 1, tmp / "worker-queue.log", app="bench_workers:app")
    try:
        from celery import chain, group

        time.sleep(4)
        noop.apply_async((0,)).get(timeout=60)  # warm: connections, tables
        t0 = time.perf_counter()
        chain(noop.si(i) for i in range(n)).apply_async().get(timeout=600)
        chain_ms = (time.perf_counter() - t0) * 1000 / n
        t0 = time.perf_counter()
        group(noop.si(i) for i in range(n)).apply_async().get(timeout=600)
        group_ms = (time.perf_counter() - t0) * 1000 / n
    finally:
        stop([proc])
        db.drop()
    t0 = time.perf_counter()
    for i in range(n * 100):
        _noop(i)
    direct_ms = (time.perf_counter() - t0) * 1000 / (n * 100)
    return {"n": n, "chain_ms": chain_ms, "group_ms": group_ms, "direct_ms": direct_ms}


def _noop(i: int) -> int:
    return i


def _configure_app():
    from sohoa.core.config import load_settings
    from sohoa.pipeline.tasks import configure

    configure(app, load_settings())
    app.conf.task_default_queue = "sohoa-bench"
    return app


from celery import Celery  # noqa: E402

app = Celery("bench")
_configure_app()
noop = app.task(name="bench.noop")(_noop)


# -- 3. sign + store --------------------------------------------------------------------------

def _page1_ink(pdf_bytes: bytes):
    import io

    import pikepdf
    from sohoa.core.ink import ink_mask

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        image = next(iter(pdf.pages[0].get_images().values()))
        return ink_mask(pikepdf.PdfImage(image).as_pil_image().convert("L"))


def sign_store_rate(n: int, store_kind: str, tmp: Path) -> dict | None:
    from bench_sign import ARCHIVAL, FIELDS, _marker, image_pdf
    from sohoa.archive.factory import open_store
    from sohoa.core.config import load_settings
    from sohoa.pipeline.sign import load_signer, prepare_pdf, sign_pdf

    env = {"SOHOA_HOME": str(tmp / f"sign-{store_kind}"), "SOHOA_STORE": store_kind,
           "SOHOA_BUCKET_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
    if store_kind == "s3":
        out = subprocess.run(["bash", str(ROOT / "scripts" / "s3-test-server.sh"), "env"], capture_output=True,
                             text=True).stdout
        env.update(dict(line.split("=", 1) for line in out.splitlines() if "=" in line))
        try:
            import urllib.request

            urllib.request.urlopen(f"http://{env['SOHOA_S3_ENDPOINT']}/", timeout=2)
        except urllib.error.HTTPError:
            pass
        except OSError:
            return None
    settings = load_settings(env=env)
    store, signer = open_store(settings), load_signer(settings)
    bucket = f"{settings.bucket_prefix}-archive"
    src = image_pdf(2, 300)
    ink = _page1_ink(src)  # in the pipeline the OCR stage hands this over with the words
    store.put(bucket, "warm/w.pdf", sign_pdf(prepare_pdf(src, _marker(0, src), FIELDS, ARCHIVAL, ink=ink), signer,
                                             _marker(0, src)), {"document-id": "warm"})
    t_sign = t_put = 0.0
    size = 0
    for i in range(n):
        m = _marker(i + 1, src)
        t0 = time.perf_counter()
        signed = sign_pdf(prepare_pdf(src, m, FIELDS, ARCHIVAL, ink=ink), signer, m)
        t1 = time.perf_counter()
        store.put(bucket, f"judgments/2024/D{i:06d}.pdf", signed, {"document-id": f"D{i}", "batch-id": "BENCH"})
        t2 = time.perf_counter()
        t_sign, t_put, size = t_sign + t1 - t0, t_put + t2 - t1, len(signed)
    return {"store": store_kind, "n": n, "kib": size / 1024, "sign_ms": t_sign * 1000 / n,
            "put_ms": t_put * 1000 / n, "docs_per_s": n / (t_sign + t_put)}


# -- report -------------------------------------------------------------------------------------

def markdown(args, runs, q, ss) -> str:
    cpu = os.cpu_count()
    lines = [HEADING, "",
             f"Measured {time.strftime('%Y-%m-%d')} on this machine ({cpu} cores) by `python bench/bench_workers.py"
             f" --docs {args.docs} --seed {args.seed} --tasks {args.tasks} -n {args.n}`. Redis broker, PostgreSQL "
             "catalogue (also the result backend), one process per core.", ""]
    if runs:
        lines += [f"**Batch on workers** (`sohoa sample --docs {args.docs} --seed {args.seed} --degradation light`:"
                  f" {runs[0]['entries']} entries, {runs[0]['archived']} archived; local store):", "",
                  "| workers | wall (s) | entries/min | archived docs/min |", "|---|---|---|---|"]
        for r in runs:
            lines.append(f"| {r['workers']} × `-c 1` | {r['wall_s']:.1f} | {r['docs_per_min']:.1f} | "
                         f"{r['archived_per_min']:.1f} |")
        if len(runs) == 2:
            lines += ["", f"Speed-up with 2 workers: **{runs[1]['docs_per_min'] / runs[0]['docs_per_min']:.2f}×** "
                          f"(2 cores; OCR is the bulk of the work)."]
        lines.append("")
    if q:
        lines += [f"**Queue overhead** ({q['n']} no-op tasks, one worker `-c 1`):", "",
                  f"- chained (each waits for the previous): **{q['chain_ms']:.1f} ms/task**",
                  f"- group (independent, pipelined): {q['group_ms']:.1f} ms/task",
                  f"- direct function call: {q['direct_ms'] * 1000:.2f} µs/call",
                  "", "A document's canvas is 5 tasks + one per page, so the queue costs well under a second "
                  "per document against seconds of OCR per page.", ""]
    if ss:
        lines += ["**Sign + store alone** (prepare_pdf with page 1's ink mask from OCR + sign_pdf + store.put, 2-page 300 dpi image PDF, "
                  "one process = one core; target ≥ 50 docs/s):", "",
                  "| store | signed size | sign ms/doc | put ms/doc | docs/s per core |", "|---|---|---|---|---|"]
        for s in ss:
            lines.append(f"| {s['store']} | {s['kib']:.0f} KiB | {s['sign_ms']:.1f} | {s['put_ms']:.1f} | "
                         f"**{s['docs_per_s']:.1f}** |")
        lines.append("")
    return "\n".join(lines)


def write_results(section: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip() + "\n\n", text)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(text.rstrip() + "\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("-n", type=int, default=40, help="documents signed and stored per store")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ss = [r for r in (sign_store_rate(args.n, k, tmp) for k in ("local", "s3")) if r]
        for s in ss:
            print(f"sign+store {s['store']}: {s['docs_per_s']:.1f} docs/s per core "
                  f"(sign {s['sign_ms']:.1f} ms, put {s['put_ms']:.1f} ms, {s['kib']:.0f} KiB)", flush=True)
        q = queue_overhead(args.tasks, tmp)
        print(f"queue: chain {q['chain_ms']:.1f} ms/task, group {q['group_ms']:.1f} ms/task, "
              f"direct {q['direct_ms'] * 1000:.2f} µs/call", flush=True)
        runs = []
        if not args.skip_batch:
            subprocess.run([sys.executable, "-m", "sohoa.cli", "sample", str(tmp / "s"), "--docs", str(args.docs),
                            "--seed", str(args.seed), "--degradation", "light"], cwd=ROOT, check=True,
                           capture_output=True)
            for w in (1, 2):
                r = batch_run(tmp / "s", w, tmp)
                runs.append(r)
                print(f"batch, {w} worker(s): {r['wall_s']:.1f} s, {r['docs_per_min']:.1f} entries/min, "
                      f"{r['archived_per_min']:.1f} archived/min", flush=True)
            print(f"ratio 2/1: {runs[1]['docs_per_min'] / runs[0]['docs_per_min']:.2f}")
    section = markdown(args, runs, q, ss)
    print()
    print(section)
    if args.write:
        write_results(section)


if __name__ == "__main__":
    main()
