"""Record linkage at scale (issue 15): a generated registry of N records (default
1,000,000) imported through `import_registry`, then a few thousand documents linked
against it with `sohoa.reconciler.match.link`, on SQLite and on PostgreSQL.

    python bench/linkage.py [--records 1000000] [--queries 3000] [--db sqlite,postgresql]
                            [--peer 10000] [--seed 15] [--keep DIR]

The registry is what a court system's looks like: ~700 courts numbering their
judgments and decisions from 1 each year (so '57/2021/HS-ST' is ~600 courts'
judgment), prisons their certificates; a person's judgment, often a decision on it and
sometimes a completion certificate, all with the person's name (tone marks), birth date
and 12-digit personal ID (a passport for foreigners); 1-3 defendants a judgment.

A query is one document drawn from the registry (every person of it) with one seeded
fault on its first person or on the document: exact, personal ID one digit off,
document number one digit off, name one tone mark off; or a document with no record.
Printed: import time, records/s, peak RSS; per-query latency (median, p95); persons
linked right / wrong / not linked; and the RATIO against a peer in the same process:
the naive full comparison (every record scored, no blocking) on a `--peer` subset,
extrapolated to N.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sohoa.archive.catalogue import Catalogue  # noqa: E402
from sohoa.core.types import PERSON_FIELDS  # noqa: E402
from sohoa.corpus import vocab  # noqa: E402
from sohoa.corpus.people import full_name, personal_id_for  # noqa: E402
from sohoa.corpus.registry import alter, strip_marks  # noqa: E402
from sohoa.reconciler import match  # noqa: E402
from sohoa.reconciler.registry import import_registry  # noqa: E402

PG_ADMIN_URL = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
YEARS = range(2015, 2026)
KINDS = ("exact", "personal_id_off", "document_number_off", "name_tone_off", "no_record")
DECISION_SYMBOLS = {"execute_sentence": "QĐ-CA", "postpone": "QĐ-HPT", "suspend": "QĐ-TĐC", "reduce": "QĐ-CA",
                    "parole": "QĐ-TTTTH", "exempt": "QĐ-MCHA", "expunge": "QĐ-XAT"}


def _courts(rng: random.Random) -> list[tuple[str, str]]:
    """(issuer, province id code): the corpus's province and district courts, and
    district courts named from commune words up to ~700, as many as the country has."""
    courts = [(f"Tòa án nhân dân {p[0]}", p[2]) for p in vocab.PROVINCES]
    courts += [(f"Tòa án nhân dân {k} {d}", p[2]) for p in vocab.PROVINCES for k, d in p[3]]
    names = {c for c, _ in courts}
    while len(courts) < 700:
        p = rng.choice(vocab.PROVINCES)
        kind = rng.choice(["huyện", "huyện", "thị xã", "thành phố"])
        name = f"Tòa án nhân dân {kind} {' '.join(rng.sample(vocab.COMMUNE_WORDS, 2))}"
        if name not in names:
            names.add(name)
            courts.append((name, p[2]))
    return courts


@dataclass
class Generator:
    """Registry documents one at a time: each a list of records (one per person)."""

    seed: int
    n_courts: int = 700
    rng: random.Random = field(init=False)
    courts: list[tuple[str, str]] = field(init=False)
    numbers: dict[tuple[str, int, str], int] = field(default_factory=dict)
    next_id: int = 0
    prefix: str = "R"

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        courts = _courts(random.Random(15))  # the same courts whatever the seed
        self.courts = courts if self.n_courts >= len(courts) else random.Random(16).sample(courts, self.n_courts)

    def _number(self, issuer: str, year: int, symbol: str, with_year: bool = True) -> str:
        key = (issuer, year, symbol)
        n = self.numbers[key] = self.numbers.get(key, 0) + 1
        ns = f"{n:02d}" if n < 10 else str(n)
        return f"{ns}/{year}/{symbol}" if with_year else f"{ns}/{symbol}"

    def _date(self, year: int) -> str:
        return f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def _person(self, year: int, prov: str) -> dict[str, Any]:
        rng = self.rng
        sex = "M" if rng.random() < 0.86 else "F"
        by = year - rng.randint(18, 62)
        birth = f"{by}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        p: dict[str, Any] = {"person_name": full_name(rng, sex), "birth_date": birth if rng.random() >= 0.18 else str(by)}
        if rng.random() < 0.04:
            p["person_name"] = rng.choice(vocab.FOREIGN)[0]
            p["passport_number"] = rng.choice("BCEGHKMN") + f"{rng.randint(0, 99999999):08d}"
        else:
            import datetime as dt
            p["personal_id"] = personal_id_for(rng, prov if rng.random() < 0.8 else rng.choice(vocab.PROVINCES)[2],
                                               sex, dt.date(by, 1, 1))
        offence = rng.choice(vocab.OFFENCES)
        p["charges"] = [offence[0]]
        p["penal_code_articles"] = [offence[1], "51"]
        p["principal_penalty"] = rng.choices(["imprisonment", "suspended_imprisonment", "fine"], [70, 25, 5])[0]
        if p["principal_penalty"] == "fine":
            p["fine_vnd"] = rng.randint(2, 40) * 5_000_000
        else:
            p["penalty_months"] = rng.randint(*offence[3])
        if p["principal_penalty"] == "suspended_imprisonment":
            p["probation_months"] = min(60, 2 * p["penalty_months"])
        return p

    def _rid(self) -> str:
        self.next_id += 1
        return f"{self.prefix}{self.next_id:08d}"

    def case(self) -> list[list[dict[str, Any]]]:
        """A judgment (a record per defendant) and the documents that follow it: per
        defendant, a decision half the time and a completion certificate a third."""
        rng = self.rng
        issuer, prov = rng.choice(self.courts)
        year = rng.choice(YEARS)
        level = "ST" if rng.random() < 0.85 else "PT"
        symbol = rng.choices([f"HS-{level}", f"HS{level}"], [9, 1])[0]
        judgment = {"doc_type": "judgment", "document_number": self._number(issuer, year, symbol),
                    "trial_level": level, "issue_date": self._date(year), "issuer": issuer}
        persons = [self._person(year, prov) for _ in range(rng.choices([1, 2, 3], [65, 25, 10])[0])]
        docs = [[{"record_id": self._rid(), **judgment, **p} for p in persons]]
        for p in persons:
            ref = {"judgment_ref": judgment["document_number"], **p}
            if rng.random() < 0.5:
                kind = rng.choices(list(DECISION_SYMBOLS), [50, 10, 5, 15, 10, 5, 5])[0]
                y = min(year + rng.randint(0, 2), YEARS[-1])
                d = self._date(y)
                docs.append([{"record_id": self._rid(), "doc_type": "decision", "decision_kind": kind,
                              "document_number": self._number(issuer, y, DECISION_SYMBOLS[kind], rng.random() < 0.6),
                              "issue_date": d, "effective_date": d, "issuer": issuer, **ref}])
            if rng.random() < 0.33 and p.get("penalty_months"):
                prison = rng.choice(vocab.PRISONS)[0]
                y = min(year + 1 + p["penalty_months"] // 12, YEARS[-1])
                d = self._date(y)
                docs.append([{"record_id": self._rid(), "doc_type": "certificate", "decision_kind": "completion",
                              "document_number": self._number(prison, y, "GCN"), "issue_date": d,
                              "effective_date": d, "issuer": prison, **ref}])
        return docs


@dataclass
class Query:
    kind: str
    doc_type: str
    doc: dict[str, Any]
    persons: list[dict[str, Any]]
    expected: list[str | None]  # each person's record_id


def _one_digit_off(rng: random.Random, value: str, lo: int = 0) -> str:
    i = rng.choice([k for k, c in enumerate(value) if c.isdigit() and k >= lo])
    return value[:i] + str((int(value[i]) + rng.randint(1, 9)) % 10) + value[i + 1:]


def make_query(rng: random.Random, kind: str, records: list[dict[str, Any]]) -> Query | None:
    """The document these records are of, as read, with the fault `kind` (None: the
    fault does not apply to it, e.g. a personal ID off for a foreigner)."""
    first = records[0]
    doc = {k: v for k, v in first.items() if k not in PERSON_FIELDS and k not in ("record_id", "doc_type")}
    persons = [{k: v for k, v in r.items() if k in PERSON_FIELDS} for r in records]
    expected: list[str | None] = [r["record_id"] for r in records]
    if kind == "personal_id_off":
        if "personal_id" not in persons[0]:
            return None
        persons[0]["personal_id"] = alter(rng, "personal_id", persons[0]["personal_id"])
    elif kind == "document_number_off":
        num, rest = doc["document_number"].split("/", 1)
        doc["document_number"] = _one_digit_off(rng, num) + "/" + rest
    elif kind == "name_tone_off":
        words = persons[0]["person_name"].split()
        marked = [i for i, w in enumerate(words) if strip_marks(w) != w]
        if not marked:
            return None
        i = rng.choice(marked)
        words[i] = strip_marks(words[i])
        persons[0]["person_name"] = " ".join(words)
    elif kind == "no_record":
        expected = [None] * len(records)
    return Query(kind, first["doc_type"], doc, persons, expected)


@dataclass
class Registry:
    path: Path
    records: int
    queries: list[Query]
    sample: list[dict[str, Any]]  # records for the naive peer: the queries' own and a random fill
    generate_s: float


def generate(path: Path, n: int, n_queries: int, seed: int, peer: int = 10_000) -> Registry:
    """Write N records to `path` (JSONL, streamed) and draw the queries while doing it."""
    t0 = time.perf_counter()
    # ~1,400 records a court (11 years): a smaller registry is fewer courts, each numbering
    # its documents as far as at a million records
    gen = Generator(seed, n_courts=min(700, max(10, n // 1400)))
    qrng = random.Random(seed + 1)
    rate = 1.3 * n_queries / max(n / 1.6, 1)  # ~1.6 records a document
    queries: list[Query] = []
    reservoir: list[dict[str, Any]] = []
    written = 0
    with path.open("w", encoding="utf-8") as f:
        while written < n:
            for doc in gen.case():
                if written + len(doc) > n:
                    doc = doc[: n - written]
                    if not doc:
                        break
                for rec in doc:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    written += 1
                    if len(reservoir) < peer:
                        reservoir.append(rec)
                    elif (j := qrng.randrange(written)) < peer:
                        reservoir[j] = rec
                if qrng.random() < rate:
                    kind = qrng.choice(KINDS[:-1])
                    q = make_query(qrng, kind, doc)
                    if q is not None:
                        queries.append(q)
    # documents with no record: the same registry's next cases, never written
    for _ in range(max(1, n_queries // len(KINDS))):
        q = make_query(qrng, "no_record", gen.case()[0])
        assert q is not None
        queries.append(q)
    qrng.shuffle(queries)
    queries = queries[:n_queries]
    ids = {rid for q in queries for rid in q.expected if rid}
    by_id = {r["record_id"]: r for r in reservoir}
    # the peer's subset: the queries' records (from the file) and the random fill
    want = ids - set(by_id)
    if want:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line[15:24] in want:  # '{"record_id": "R00000123", ...'
                    r = json.loads(line)
                    by_id[r["record_id"]] = r
    return Registry(path, written, queries, list(by_id.values()), time.perf_counter() - t0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class LinkStats:
    persons: int = 0
    right: int = 0
    wrong: int = 0
    not_linked: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [right, wrong, not linked]
    failures: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def add(self, q: Query, got: list[str | None]) -> None:
        k = self.by_kind.setdefault(q.kind, [0, 0, 0])
        for want, have in zip(q.expected, got):
            self.persons += 1
            if want == have:
                self.right += 1
                k[0] += 1
            elif have is not None:
                self.wrong += 1
                k[1] += 1
                self.failures.append((q.kind, want, have))
            else:
                self.not_linked += 1
                k[2] += 1
                self.failures.append((q.kind, want, have))

    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    def p95_ms(self) -> float:
        return sorted(self.latencies_ms)[int(0.95 * (len(self.latencies_ms) - 1))]


def link_all(catalogue: Catalogue, queries: list[Query]) -> LinkStats:
    """Each query linked in its own session, as the reconcile stage does."""
    st = LinkStats()
    for q in queries:
        t = time.perf_counter()
        with catalogue.session() as s:
            got = [r.record_id if r is not None else None
                   for r in match.match_persons(s, q.doc_type, q.doc, q.persons)]
        st.latencies_ms.append(1000 * (time.perf_counter() - t))
        st.add(q, got)
    return st


def naive_link(records: list[dict[str, Any]], q: Query) -> list[str | None]:
    """The peer: every record scored against every person, no blocking; a person's
    best record if it clears the same thresholds and margin as `match.link`."""
    base = {**q.doc, "doc_type": q.doc_type}
    out: list[str | None] = []
    for p in q.persons:
        values = {**base, **p}
        best: list[tuple[float, str, float]] = []
        for r in records:
            w, lv = match.score(values, r)
            if w >= match.MIN_WEIGHT - match.MIN_MARGIN:
                best.append((w, r["record_id"], match.document_weight(lv)))
        best.sort(reverse=True)
        ok = (best and best[0][0] >= match.MIN_WEIGHT and best[0][2] >= match.MIN_DOCUMENT_WEIGHT
              and (len(best) == 1 or best[0][0] - best[1][0] >= match.MIN_MARGIN))
        out.append(best[0][1] if ok else None)
    return out


def naive_all(records: list[dict[str, Any]], queries: list[Query]) -> LinkStats:
    st = LinkStats()
    for q in queries:
        t = time.perf_counter()
        got = naive_link(records, q)
        st.latencies_ms.append(1000 * (time.perf_counter() - t))
        st.add(q, got)
    return st


def pg_database() -> tuple[str, Any]:
    """A fresh PostgreSQL database (its URL) and a function that drops it."""
    from sqlalchemy import create_engine, text

    name = f"sohoa_bench_linkage_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop


@dataclass
class DbRun:
    db: str
    import_s: float
    added: int
    rss_after_import_mb: float
    links: LinkStats
    rss_after_links_mb: float
    db_bytes: int | None = None


def run_db(db: str, reg: Registry, workdir: Path, chunk: int | None = None) -> DbRun:
    """Import the registry into a fresh catalogue of kind `db`, then link the queries."""
    drop = None
    if db == "sqlite":
        home = workdir / "home"  # SOHOA_HOME: the embedded default's catalogue
        url = f"sqlite:///{(home / 'catalogue.sqlite3').resolve()}"
    else:
        url, drop = pg_database()
    try:
        cat = Catalogue(url)
        t = time.perf_counter()
        kw = {"chunk": chunk} if chunk else {}
        res = import_registry(cat, reg.path, actor="bench", **kw)
        import_s = time.perf_counter() - t
        rss_import = peak_rss_mb()
        size = None
        if db == "sqlite":
            size = sum(p.stat().st_size for p in home.glob("catalogue.sqlite3*"))
        else:
            from sqlalchemy import text
            with cat.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        link_all(cat, reg.queries[: min(50, len(reg.queries))])  # warm the caches and the connection pool
        links = link_all(cat, reg.queries)
        run = DbRun(db, import_s, res.added, rss_import, links, peak_rss_mb(), size)
        cat.dispose()
        return run
    finally:
        if drop:
            drop()


def _fmt_links(st: LinkStats) -> str:
    kinds = ", ".join(f"{k} {v[0]}/{sum(v)}" for k, v in sorted(st.by_kind.items()))
    return (f"{st.persons} persons: {st.right} right, {st.wrong} wrong, {st.not_linked} not linked "
            f"(right per kind: {kinds})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    ap.add_argument("--peer", type=int, default=10_000, help="records the naive full comparison scores")
    ap.add_argument("--peer-queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", type=Path, help="work directory to keep (registry file, SQLite catalogue)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sohoa-linkage-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# record linkage: {args.records:,} registry records, {args.queries} queries, seed {args.seed}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    reg = generate(work / "registry.jsonl", args.records, args.queries, args.seed, args.peer)
    print(f"generated {reg.records:,} records ({reg.path.stat().st_size / 1e6:.0f} MB JSONL) and "
          f"{len(reg.queries)} queries in {reg.generate_s:.1f} s; peak RSS {peak_rss_mb():.0f} MB")
    runs = []
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        r = run_db(db, reg, work / db)
        runs.append(r)
        print(f"\n## {db}")
        print(f"import: {r.added:,} records in {r.import_s:.1f} s = {r.added / r.import_s:,.0f} records/s; "
              f"process peak RSS after import {r.rss_after_import_mb:.0f} MB; database {r.db_bytes / 1e6:.0f} MB")
        print(f"link: median {r.links.median_ms():.2f} ms, p95 {r.links.p95_ms():.2f} ms per document "
              f"({len(reg.queries)} documents); peak RSS {r.rss_after_links_mb:.0f} MB")
        print(f"      {_fmt_links(r.links)}")
        for f in r.links.failures[:8]:
            print(f"      miss: {f}")
    # the peer: naive full comparison on a subset, in this process
    pq = reg.queries[: args.peer_queries]
    ids = {rid for q in pq for rid in q.expected if rid}
    subset = [r for r in reg.sample if r["record_id"] in ids]
    subset += [r for r in reg.sample if r["record_id"] not in ids][: max(0, args.peer - len(subset))]
    naive = naive_all(subset, pq)
    per_record_ms = naive.median_ms() / len(subset)
    extrapolated = per_record_ms * reg.records
    print(f"\n## peer: naive full comparison (no blocking), {len(subset):,} records, {len(pq)} documents")
    print(f"median {naive.median_ms():.1f} ms per document at {len(subset):,} records "
          f"-> {extrapolated / 1000:.1f} s per document at {reg.records:,} (linear)")
    print(f"      {_fmt_links(naive)}")
    for r in runs:
        print(f"RATIO naive/{r.db} (per document, at {reg.records:,} records): "
              f"{extrapolated / r.links.median_ms():,.0f}x")
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
