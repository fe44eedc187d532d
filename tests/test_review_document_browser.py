"""Review by document in a real browser (issue 16, item 6): a verifier resolves every open
item of a two-person judgment on one screen with the keyboard only, and the document moves
on. One generated judgment with two defendants (seed 14) is processed; two registry values
are changed beforehand, one per person, so both persons have items (a discrepancy each,
besides what the reading itself doubted). Debian's chromium through Playwright."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, run_sohoa, serve_ui

pytestmark = [pytest.mark.slow, pytest.mark.ui]

pytest.importorskip("playwright.sync_api")
PASSWORD = "mat-khau-vera-2026"
REASON = "Bản án số 466/2019/HS-ST, đối chiếu bản giấy"


@pytest.fixture(scope="module")
def two_person_home(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (apt-get install chromium)")
    from sohoa.corpus import generate_batch

    base = tmp_path_factory.mktemp("review-doc")
    gen = generate_batch(base / "sample", docs=1, seed=14, degradation="light", bad_files=False, co_defendants=1.0)
    truth = json.loads(gen.truth_path.read_text("utf-8").splitlines()[0])
    assert len(truth["persons"]) == 2
    lines = [json.loads(x) for x in gen.registry_path.read_text("utf-8").splitlines()]
    for rec in lines:  # the database disagrees with the paper once per defendant
        if rec["document_number"] == truth["fields"]["document_number"]:
            rec["penalty_months"] = rec["penalty_months"] + 6
    gen.registry_path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    home = base / "home"
    home.mkdir()
    (home / "sohoa.toml").write_text("registry_confirms = false\n", "utf-8")  # every doubt is an item
    run_sohoa(home, "registry", "import", str(gen.registry_path))
    run_sohoa(home, "process", str(gen.batch_dir), "--report", str(base / "report.json"))
    pw = base / "vera.pw"
    pw.write_text(PASSWORD + "\n")
    run_sohoa(home, "user", "create", "vera", "--role", "verifier", "--password-file", str(pw))
    return home, truth


def _catalogue(home: Path):
    import sohoa.ui.models  # noqa: F401
    from sohoa.archive.catalogue import Catalogue

    return Catalogue(f"sqlite:///{(home / 'catalogue.sqlite3').resolve()}")


def _held_by(home: Path, name: str) -> int:
    from sohoa.ui.models import ItemState
    from sqlalchemy import func, select

    cat = _catalogue(home)
    try:
        with cat.session() as s:
            return s.scalar(select(func.count()).select_from(ItemState).where(ItemState.assigned_to == name)) or 0
    finally:
        cat.dispose()


def test_a_two_person_document_resolved_on_one_screen_with_the_keyboard(two_person_home, ui_browser, ui_shots):
    from sohoa.archive.models import AuditEvent, ReviewItem
    from sohoa.ui.models import Correction
    from sqlalchemy import select

    home, truth = two_person_home
    cat = _catalogue(home)
    with cat.session() as s:
        items = {i.id: i for i in s.scalars(select(ReviewItem).where(ReviewItem.status == "open"))}
    assert {i.person for i in items.values()} == {0, 1}, "both defendants have items"
    assert {(i.person, i.field) for i in items.values() if i.kind == "discrepancy"} >= {
        (0, "penalty_months"), (1, "penalty_months")}

    start = time.monotonic()
    with serve_ui(home) as server:
        ctx = ui_browser.new_context(viewport={"width": 1300, "height": 900}, locale="vi-VN")
        page = ctx.new_page()
        page.set_default_timeout(20000)
        page.goto(server + "/ui/login")
        page.fill("#username", "vera")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/queue")
        # the per-field queue offers the other view; from here on only the keyboard
        assert page.get_attribute("#by-document", "href") == "/ui/review"
        page.goto(server + "/ui/review")
        assert page.locator("#doc-queue tr[data-document]").count() == 1
        keys = 0

        def press(key: str) -> None:
            nonlocal keys
            keys += 1
            page.keyboard.press(key)

        press("Enter")  # take the next document (the button has the focus)
        page.wait_for_url("**/ui/review/D*")
        assert page.inner_text("#held-count") == str(len(items))  # every item is held by vera now
        # leaving without saving releases them (the page's beacon); Enter on the queue takes them again
        page.goto(server + "/ui/review")
        deadline = time.monotonic() + 10
        while _held_by(home, "vera") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _held_by(home, "vera")
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/review/D*")
        assert page.inner_text("#held-count") == str(len(items))
        fieldsets = page.locator("fieldset.ritem")
        assert fieldsets.count() == len(items)
        assert set(fieldsets.evaluate_all("fs => fs.map(f => f.dataset.person)")) == {"0", "1"}
        # every item shows its region of the signed page, loaded
        page.wait_for_function("() => [...document.querySelectorAll('fieldset.ritem img.crop')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("fieldset.ritem img.crop").count() >= 2
        shot = ui_shots / "review-by-document.png"
        page.screenshot(path=str(shot), full_page=True)
        expected: dict[int, str] = {}
        for i in range(fieldsets.count()):
            fs = fieldsets.nth(i)
            assert "current" in (fs.get_attribute("class") or ""), "the next undecided item is the current one"
            iid, field, person = int(fs.get_attribute("data-item")), fs.get_attribute("data-field"), \
                int(fs.get_attribute("data-person"))
            if (person, field) == (0, "penalty_months"):  # type the paper's value: the registry changes
                press("c")
                page.keyboard.type(str(truth["persons"][0]["penalty_months"]))
                press("Enter")
                expected[iid] = "pending"
            elif (person, field) == (1, "penalty_months"):  # keep the registry's (this verifier's call)
                press("r")
                expected[iid] = "resolved"
            else:  # the reading's doubts: the document's value
                press("a")
                expected[iid] = "resolved_or_pending"
        press("g")  # one reason for every change of the document
        page.keyboard.type(REASON)
        press("Enter")  # save all, next document
        page.wait_for_url("**/ui/review")
        flash = page.inner_text("#flash")
        assert f"{len(items)} decisions saved" in flash and "no document left" in flash, flash
        wall = time.monotonic() - start
        ctx.close()

    with cat.session() as s:
        after = {i.id: i for i in s.scalars(select(ReviewItem).where(ReviewItem.id.in_(list(items))))}
        corrections = {c.review_item_id: c for c in s.scalars(select(Correction))}
        events = [(e.action, e.object) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    cat.dispose()
    for iid, want in expected.items():
        if want == "pending" or (want == "resolved_or_pending" and iid in corrections):
            assert after[iid].status == "open" and corrections[iid].status == "pending", iid
            assert corrections[iid].author == "vera" and corrections[iid].legal_basis == REASON
        else:
            assert after[iid].status == "resolved" and "vera" in after[iid].resolution, iid
    pending = [c for c in corrections.values() if c.status == "pending"]
    assert any(c.field == "penalty_months" and c.new_value == truth["persons"][0]["penalty_months"] for c in pending)
    # the same audit trail as the per-field screen: taken, then each decision
    for iid in items:
        assert ("ui.item.take", f"review_item:{iid}") in events
    assert ("ui.item.keep", next(f"review_item:{i}" for i, w in expected.items() if w == "resolved"
                                 and after[i].resolution.startswith("kept"))) in events
    assert any(a == "ui.correction.propose" for a, _ in events)
    # undecided leftovers are released when the document moves on: nothing stays held by vera
    assert not _held_by(home, "vera")
    print(f"\nreview by document: {len(items)} items of 2 persons, {keys} key presses "
          f"({keys / len(items):.2f} per item), {wall:.1f} s in the browser")
