"""Benchmark: review by field against review by document (issue 16, item 6).

    .venv/bin/python bench/bench_review.py [--docs 50] [--seed 5] [--keep DIR]

The walkthrough's batch (tests/test_ui_walkthrough.py: `sohoa sample`'s generator, 50
documents, seed 5, light degradation) is generated, its registry imported and the batch
processed once; then each flow works a copy of it behind its own `sohoa ui`, in Debian's
chromium through Playwright, as a verifier who has read the scan (the generator's truth)
decides every open item once: accept the document's value, keep the registry's, type the
right one, escalate when the paper does not carry the field, link or create a record for
an unmatched document (on the item page in both flows).

- by field: from the queue, open an item (a click), decide it with the item page's keys
  (t/a/k/c/e), type a value and a reason where needed and click, then `n` to the
  document's next item or back to the queue (a click) for the next one;
- by document: Enter takes the next document, each item is decided with a/r/c/e (a typed
  value or comment ends with Enter), `g` and one common reason when the document changes
  the registry, Enter saves the whole document and opens the next.

Counted for the verifier only (the approver's work is the same in both): clicks, key
presses (shortcuts, Enter), characters typed, per decided item; the pass's wall time. The
approvals are not part of it. Prints one table and the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # verifier_model: the walkthrough's verifier, shared

from verifier_model import agree, expected_record, parse, person_truth, truth_value  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "mat-khau-kiem-tra-2026"
REASON = "Đối chiếu bản giấy đã ký"


def run_cli(home: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "sohoa.cli", *args], check=True, cwd=ROOT, capture_output=True,
                   env={**os.environ, "SOHOA_HOME": str(home)})


@contextmanager
def serve(home: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sohoa.cli", "ui", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "SOHOA_HOME": str(home)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("sohoa ui did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


# --- what a careful verifier decides, having read the scan (the truth) ----------------------

def decide(t: dict, field: str, doc_text: str, reg_text: str, has_record: bool, k: int) -> tuple[str, object, bool]:
    """(accept | keep | correct | escalate, the typed value, whether a reason is needed: the
    registry changes, or a value is typed)."""
    from sohoa.ui.workflow import show

    right = truth_value(t, field, k)
    if right is None:
        return "escalate", None, False
    doc, reg = parse(field, doc_text), parse(field, reg_text)
    if agree(field, doc, right):
        return "accept", None, has_record and not agree(field, doc, reg)
    if has_record and agree(field, reg, right):
        return "keep", None, False
    return "correct", show(right), True  # a typed value always needs its reason (workflow.act)


class Counted:
    """A Playwright page whose clicks, key presses and typed characters are counted."""

    def __init__(self, page) -> None:
        self.page = page
        self.n: Counter = Counter()

    def click(self, selector: str, nav: bool = False) -> None:
        self.n["clicks"] += 1
        if nav:  # wait for the page it leads to
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def key(self, key: str, nav: bool = False) -> None:
        self.n["keys"] += 1
        if nav:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.n["chars"] += len(text)
        self.page.keyboard.type(text)

    def fill(self, selector: str, text: str) -> None:  # a click into the field, then typing
        self.n["clicks"] += 1
        self.n["chars"] += len(text)
        self.page.fill(selector, text)


def unmatched(c: Counted, t: dict, e: dict, k: int, made: list[int]) -> None:
    """Link the person to its record, or propose a new one typed from the paper (on the item
    page, both flows alike, as the walkthrough does)."""
    rid = expected_record(e, k)
    if rid:
        c.fill("#link-record", rid)
        c.fill("#link-reason", REASON)
        c.click("#btn-link", nav=True)
    else:
        made.append(1)
        c.fill("#new-record-id", f"R-MOI-{len(made):03d}")
        c.fill("#new-record", json.dumps({"doc_type": t["doc_type"], **person_truth(t, k)}, ensure_ascii=False))
        c.fill("#create-reason", REASON)
        c.click("#btn-create", nav=True)


def by_field(page, server: str, truth: dict, expected: dict) -> tuple[Counted, int]:
    c = Counted(page)
    made: list[int] = []
    decided: set[int] = set()
    page.goto(server + "/ui/queue")
    while True:
        rows = page.locator("#queue tbody tr[data-item]")
        nxt = None
        for i in range(rows.count()):
            r = rows.nth(i)
            iid = int(r.get_attribute("data-item"))
            status = r.locator("td").last.inner_text()
            if iid not in decided and "chờ duyệt" not in status and "cấp trên" not in status:
                nxt = iid
                break
        if nxt is None:
            break
        c.click(f"#queue tr[data-item='{nxt}'] td a", nav=True)
        while True:
            iid = int(page.url.rsplit("/", 1)[1].split("?")[0])
            decided.add(iid)
            head = page.locator("#item-head")
            kind, field = head.get_attribute("data-kind"), head.get_attribute("data-field")
            k = int(head.get_attribute("data-person") or 0)
            source = page.inner_text("#doc-source")
            t = truth[source]
            if kind == "unmatched":
                if page.locator("#btn-link[disabled]").count():  # not ours to act on
                    break
                unmatched(c, t, expected[source], k, made)
            else:
                has_record = page.locator("#btn-keep").is_enabled()
                action, value, changes = decide(t, field, page.inner_text("#doc-value"),
                                                page.inner_text("#reg-value"), has_record, k)
                if action == "keep":
                    c.key("k", nav=True)
                elif action == "accept" and not changes:
                    c.key("a", nav=True)
                elif action == "accept":
                    c.fill("#reason", REASON)
                    c.click("#btn-accept", nav=True)
                elif action == "correct":
                    c.key("c")
                    c.type(str(value))
                    if changes:
                        c.fill("#reason", REASON)
                    c.click("#btn-correct", nav=True)
                else:
                    c.key("e")
                    c.type("Văn bản không ghi trường này")
                    c.click("#btn-escalate", nav=True)
            if page.locator("#error").count():
                raise SystemExit(f"refused on {source} item {iid}: {page.inner_text('#error')}")
            others = page.locator("#next-item")
            if others.count() and int(others.get_attribute("href").rsplit("/", 1)[1]) not in decided:
                c.key("n", nav=True)
                continue
            break
        c.click("header a[href='/ui/queue']", nav=True)
    return c, len(decided)


def by_document(page, server: str, truth: dict, expected: dict) -> tuple[Counted, int]:
    c = Counted(page)
    made: list[int] = []
    decided = 0
    page.goto(server + "/ui/review")
    if page.locator("#doc-queue-empty").count():
        return c, 0
    page.focus("#btn-next-doc")  # the button has the page's focus already (autofocus)
    c.key("Enter", nav=True)
    while "/ui/review/" in page.url and page.locator("#review-form").count():
        doc_url = page.url.split("?")[0]
        source = page.inner_text("#doc-source")
        t = truth[source]
        # unmatched persons first, on their item pages (link or create), then this document's form
        links = [int(x.get_attribute("data-item")) for x in page.locator("fieldset.ritem[data-kind=unmatched]").all()
                 if x.locator("input[type=radio]").count()]
        for iid in links:
            k = int(page.get_attribute(f"#ritem-{iid}", "data-person") or 0)
            c.click(f"#ritem-{iid} a[href='/ui/items/{iid}']", nav=True)
            unmatched(c, t, expected[source], k, made)
            decided += 1
            c.n["clicks"] += 1  # back to the document (the browser's back button)
            page.goto(doc_url)
        fieldsets = page.locator("fieldset.ritem")
        changes_any = False
        typed = 0
        for i in range(fieldsets.count()):
            fs = fieldsets.nth(i)
            if fs.get_attribute("data-kind") == "unmatched" or not fs.locator("input[type=radio]").count():
                continue
            iid = int(fs.get_attribute("data-item"))
            if not fs.evaluate("e => e.classList.contains('current')"):
                page.focus(f"#ritem-{iid}")  # j/k would move there; one key press counted
                c.n["keys"] += 1
            field, k = fs.get_attribute("data-field"), int(fs.get_attribute("data-person") or 0)
            has_record = fs.locator("input[value=keep]").is_enabled()
            action, value, changes = decide(t, field, fs.locator(".rdoc").inner_text(),
                                            fs.locator(".rreg").inner_text(), has_record, k)
            changes_any |= changes
            if action in ("accept", "keep"):
                c.key("a" if action == "accept" else "r")
            elif action == "correct":
                c.key("c")
                c.type(str(value))
                c.key("Enter")
            else:
                c.key("e")
                c.type("Văn bản không ghi trường này")
                c.key("Enter")
            typed += 1
        if changes_any:
            c.key("g")
            c.type(REASON)
        decided += typed
        c.key("Enter", nav=True)  # saves the document (or, nothing left to decide here, moves on)
        if page.locator("#error").count():
            raise SystemExit(f"refused on {source}: {page.inner_text('#error')}")
    return c, decided


def prepare(base: Path, docs: int, seed: int) -> tuple[Path, dict, dict, float]:
    from sohoa.corpus import generate_batch

    t0 = time.monotonic()
    gen = generate_batch(base / "sample", docs=docs, seed=seed, degradation="light", bad_files=False)
    home = base / "home"
    if not (home / "catalogue.sqlite3").exists():  # --keep DIR of an earlier run: processed already
        run_cli(home, "registry", "import", str(gen.registry_path))
        run_cli(home, "process", str(gen.batch_dir), "--report", str(base / "report.json"))
        import sohoa.ui.models  # noqa: F401
        from sohoa.archive.catalogue import Catalogue
        from sohoa.ui import auth

        cat = Catalogue(f"sqlite:///{(home / 'catalogue.sqlite3').resolve()}")
        with cat.session() as s:
            auth.create_user(s, "vy", "verifier", PASSWORD, actor="bench")
        cat.dispose()
    truth = {(t := json.loads(x))["source"]: t for x in gen.truth_path.read_text("utf-8").splitlines()}
    expected = {e["source"]: e for x in gen.expected_path.read_text("utf-8").splitlines()
                if (e := json.loads(x)).get("source")}
    return home, truth, expected, time.monotonic() - t0


def open_items(home: Path) -> tuple[int, int]:
    import sqlite3

    con = sqlite3.connect(home / "catalogue.sqlite3")
    try:
        n_open = con.execute("select count(*) from review_items where status = 'open'").fetchone()[0]
        docs = con.execute("select count(distinct document_id) from review_items where status = 'open'").fetchone()[0]
    finally:
        con.close()
    return n_open, docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="keep the work directory here (and re-use the batch processed there)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="bench-review-")) if args.keep is None else args.keep
    base.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    home0, truth, expected, prep = prepare(base, args.docs, args.seed)
    n_open, n_docs = open_items(home0)
    print(f"batch: {args.docs} documents (seed {args.seed}), {n_open} open items on {n_docs} documents; "
          f"generate+import+process {prep:.0f} s")
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, flow in (("by field", by_field), ("by document", by_document)):
            home = base / name.replace(" ", "-")
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(home0, home)
            with serve(home) as server:
                ctx = browser.new_context(viewport={"width": 1300, "height": 900}, locale="vi-VN")
                page = ctx.new_page()
                page.set_default_timeout(30000)
                page.goto(server + "/ui/login")
                page.fill("#username", "vy")
                page.fill("#password", PASSWORD)
                page.click("#login")
                page.wait_for_load_state()
                t0 = time.monotonic()
                counted, decided = flow(page, server, truth, expected)
                wall = time.monotonic() - t0
                ctx.close()
            left, _ = open_items(home)
            results[name] = (counted.n, decided, wall, left)
        browser.close()
    load1 = os.getloadavg()
    print(f"{'flow':<12} {'items':>5} {'clicks':>7} {'keys':>6} {'chars':>6} {'clicks+keys/item':>17} "
          f"{'chars/item':>10} {'wall s':>7} {'s/item':>7} {'open after':>10}")
    for name, (n, decided, wall, left) in results.items():
        per = (n["clicks"] + n["keys"]) / max(1, decided)
        print(f"{name:<12} {decided:>5} {n['clicks']:>7} {n['keys']:>6} {n['chars']:>6} {per:>17.2f} "
              f"{n['chars'] / max(1, decided):>10.1f} {wall:>7.1f} {wall / max(1, decided):>7.2f} {left:>10}")
    print(f"load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} ({os.cpu_count()} cores)")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
