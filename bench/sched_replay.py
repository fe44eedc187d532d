"""What the embedded scheduler makes of a batch, whatever the machine's load (issue 18 item 2).

    python bench/sched_replay.py HOME      # HOME: a `sohoa process` run's SOHOA_HOME (best: 1 job)

Replays the run's stage lines (HOME/logs/sohoa.jsonl: each stage's CPU seconds as its work, the
documents in the order they began) through two schedulers on 2 cores, each runnable thread
getting an equal share of a core (no other load): a thread per document (`jobs` threads, each
reading its document's pages one after another: the scheduler before issue 18) and the shared
page pool (`jobs` page threads for every document's pages, `jobs + 1` document threads:
pipeline/batch.py). Prints the makespans and the speedups over one core. A model: I/O waits and
the GIL are not in it; on a shared machine it says what the schedule allows, the bench's
`2 jobs vs 1 job` what the machine gave."""
import json
import sys
from pathlib import Path


def load_docs(home: Path):
    docs: dict[str, dict] = {}
    for line in (home / "logs" / "sohoa.jsonl").read_text("utf-8").splitlines():
        x = json.loads(line)
        if x.get("logger") != "sohoa.profile":
            continue
        d = x["document"]
        if d not in docs:
            docs[d] = {"begin": 0.0, "pages": [], "post": 0.0, "first": x["time"]}
        r = docs[d]
        r["first"] = min(r["first"], x["time"])
        c = max(x["cpu_s"], 0.0)  # the stage's work: its CPU seconds
        if x["stage"] == "begin":
            r["begin"] += c
        elif x["stage"] == "ocr_page":
            r["pages"].append(c)
        else:
            r["post"] += c
    order = sorted(docs, key=lambda d: docs[d]["first"])
    return [docs[d] for d in order]


def simulate(docs, jobs: int, cores: int, shared: bool) -> float:
    """Event simulation with processor sharing: each runnable task gets min(1, cores/n) of a core."""
    doc_threads = jobs + 1 if shared else jobs
    pending_docs = list(range(len(docs)))
    t = 0.0
    running: list[dict] = []  # tasks: {"left", "kind", "doc"}
    page_queue: list[tuple[int, float]] = []
    pages_busy = 0
    state: dict[int, dict] = {}  # doc -> {"phase", "pages_left"}
    free_doc_threads = doc_threads

    def start_doc():
        nonlocal free_doc_threads
        while free_doc_threads and pending_docs:
            i = pending_docs.pop(0)
            free_doc_threads -= 1
            state[i] = {"phase": "begin", "pages_left": len(docs[i]["pages"])}
            running.append({"left": docs[i]["begin"], "kind": "begin", "doc": i})

    def feed_pages():
        nonlocal pages_busy
        while page_queue and (pages_busy < jobs if shared else True):
            i, c = page_queue.pop(0)
            pages_busy += 1
            running.append({"left": c, "kind": "page", "doc": i})

    start_doc()
    while running or page_queue or pending_docs:
        feed_pages()
        if not running:
            start_doc()
            continue
        rate = min(1.0, cores / len(running))
        dt = min(r["left"] for r in running) / rate
        t += dt
        for r in running:
            r["left"] -= dt * rate
        done = [r for r in running if r["left"] <= 1e-9]
        running[:] = [r for r in running if r["left"] > 1e-9]
        for r in done:
            i, st = r["doc"], state[r["doc"]]
            if r["kind"] == "begin":
                pages = docs[i]["pages"]
                if not pages:
                    running.append({"left": docs[i]["post"], "kind": "post", "doc": i})
                elif shared:
                    page_queue.extend((i, c) for c in pages)
                else:  # old: the document's own thread reads its pages one after another
                    running.append({"left": sum(pages), "kind": "pagesserial", "doc": i})
            elif r["kind"] == "page":
                pages_busy -= 1
                st["pages_left"] -= 1
                if st["pages_left"] == 0:
                    running.append({"left": docs[i]["post"], "kind": "post", "doc": i})
            elif r["kind"] == "pagesserial":
                running.append({"left": docs[i]["post"], "kind": "post", "doc": i})
            else:  # post done: the document thread is free
                free_doc_threads += 1
        start_doc()
    return t


if __name__ == "__main__":
    docs = load_docs(Path(sys.argv[1]))
    total = sum(d["begin"] + sum(d["pages"]) + d["post"] for d in docs)
    one = simulate(docs, 1, 1, shared=False)
    old = simulate(docs, 2, 2, shared=False)
    new = simulate(docs, 2, 2, shared=True)
    print(f"{len(docs)} documents, {sum(len(d['pages']) for d in docs)} pages, CPU {total:.1f} s")
    print(f"1 core: {one:.1f} s; 2 cores, a thread per document: {old:.1f} s ({one / old:.2f}x); "
          f"2 cores, shared page pool: {new:.1f} s ({one / new:.2f}x); ideal {total / 2:.1f} s ({one / (total / 2):.2f}x)")
