"""The wide variation of the sample corpus (issue 15 item 5): it reaches what the default
corpus never shows, and the default corpus stays what it was, seed for seed."""
from __future__ import annotations

import hashlib
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from sohoa.corpus import generate_batch, variation
from sohoa.corpus import vocab as cv
from sohoa.corpus.people import wide_name

# sha256 of truth.jsonl, and of every file written, for generate_batch(docs=6, seed=7,
# degradation="medium") at the commit before the variation knob (ff534d2)
SEED7_TRUTH = "51730eb1cbe0af97399ba24be3fcf0af8b1a847036f4a84920770d9f8671801c"
SEED7_ALL = "35e4dca76a89441f772a8b7c226d2fe42bec6646264982a3d2a72bb4e050c488"


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("wide")
    r = generate_batch(out, docs=16, seed=11, degradation="light", bad_files=False, variation="wide")
    return out, [t for t in _rows(r.truth_path) if not t.get("bad")]


def test_default_corpus_unchanged_for_seed_7(tmp_path: Path) -> None:
    r = generate_batch(tmp_path, docs=6, seed=7, degradation="medium")
    assert hashlib.sha256(r.truth_path.read_bytes()).hexdigest() == SEED7_TRUTH
    h = hashlib.sha256()
    for p in sorted(tmp_path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(tmp_path)).encode())
            h.update(p.read_bytes())
    assert h.hexdigest() == SEED7_ALL
    assert all("variation" not in t and "marks" not in t for t in _rows(r.truth_path))


def test_variation_is_reset_and_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_batch(tmp_path, docs=1, variation="wider")
    assert not variation.is_wide()
    with variation.use("wide"):
        assert variation.is_wide()
    assert not variation.is_wide()


def test_wide_names_reach_rare_syllables_long_and_minority_names() -> None:
    import random
    rng = random.Random(3)
    names = [wide_name(rng, rng.choice("MF")) for _ in range(3000)]
    syllables = {w for n, _ in names for w in n.split()}
    for rare in ("Tỵ", "Quỳnh", "Ỷ", "Ngữ", "Khuê", "Thuỵ", "Thụy", "Hưởng"):
        assert rare in syllables, rare
    assert any(n == "Nguyễn Thị Ngọc Hưởng" for n, _ in names)
    assert any(len(n.split()) == 5 for n, _ in names) and any(len(n.split()) == 4 for n, _ in names)
    minority = {n: e for n, e in names if e}
    for n in ("Hoàng Văn Páo", "Lò Thị Xuân", "Sùng A Chứ", "Y Bhăm Êban", "Ksor H'Nhi", "Thào Mí Sính"):
        assert n in minority, n
    assert minority["Y Bhăm Êban"] == "Ê Đê"
    # every tone mark occurs on a rare given name
    marks = {c for g in cv.RARE_GIVEN_M + cv.RARE_GIVEN_F for c in unicodedata.normalize("NFD", g)}
    assert set("\u0300\u0301\u0303\u0309\u0323") <= marks  # huyền sắc ngã hỏi nặng


def test_wide_corpus_varies_fonts_names_issuers_and_marks(wide) -> None:
    _, truth = wide
    fonts = {t["style"]["font"] for t in truth}
    assert fonts & {"lib-mono", "free-mono"} or fonts & {"dejavu-sans-cond", "roboto-cond"}
    assert len(fonts) >= 5
    assert all(t["variation"] == "wide" for t in truth)
    names = [p["person_name"] for t in truth for p in t["persons"]]
    assert any(len(n.split()) >= 4 for n in names)
    assert any(w in {*cv.RARE_GIVEN_M, *cv.RARE_GIVEN_F} for n in names for w in n.split()[-1:])
    issuers = {t["fields"]["issuer"] for t in truth}
    later = [t for t in truth if t["fields"]["issue_date"] >= "2025-07-01"]
    assert later, "no document after the 2025 reforms"
    for t in later:  # after 1 July 2025 there is no district court any more
        iss = t["fields"]["issuer"]
        assert not any(iss.startswith(f"Tòa án nhân dân {k} ") for k in ("quận", "huyện", "thị xã")), iss
    assert len(issuers) >= 8, issuers
    kinds = {m["kind"] for t in truth for page in t["marks"] for m in page}
    assert {"margin_note", "hanging_seal"} <= kinds
    assert any(pm.get("copies") for t in truth for pm in t["page_meta"])


def test_wide_issuers_after_2025_are_real_units(wide) -> None:
    _, truth = wide
    new_provinces = {v.split(" ", 1)[1] if v.startswith(("tỉnh", "thành phố ")) else v for v in cv.MERGED_2025.values()}
    gone = {k for k in cv.MERGED_2025}
    for t in truth:
        iss, date = t["fields"]["issuer"], t["fields"]["issue_date"]
        if date >= "2025-07-01" and iss.startswith("Tòa án nhân dân") and "cấp cao" not in iss:
            place = iss.split(" - ")[-1] if " khu vực " in iss else iss.split(" ", 5)[-1]
            assert not any(place.endswith(g) for g in gone if g not in new_provinces), iss


def test_wide_courts_after_the_2025_reforms() -> None:
    import datetime as dt
    import random

    from sohoa.corpus.facts import make_judgment
    rng = random.Random(5)
    with variation.use("wide"):
        later = [make_judgment(rng, dt.date(2025, 9, 1), rng.choice(["ST", "PT"])) for _ in range(150)]
        earlier = [make_judgment(rng, dt.date(2023, 9, 1), "PT") for _ in range(60)]
    names = {j.court.name for j in later}
    assert any(n.startswith("Tòa án nhân dân khu vực ") and " - " in n for n in names), names
    assert "Tòa án nhân dân Thành phố Hồ Chí Minh" in names or "Tòa án nhân dân tỉnh Đồng Nai" in names
    assert not any(n.startswith(("Tòa án nhân dân quận", "Tòa án nhân dân huyện")) for n in names)
    assert not any(n.endswith(("Bình Dương", "Hà Giang", "Quảng Nam", "Kiên Giang")) for n in names), names
    high = [j.court for j in later + earlier if j.court.kind == "court_high"]
    assert {h.name for h in high} >= {"Tòa án nhân dân cấp cao tại Thành phố Hồ Chí Minh"}
    assert any(len(h.header) == 3 for h in high)  # the city name broken over two lines
    # the default corpus keeps district courts whatever the date
    assert any(make_judgment(rng, dt.date(2025, 9, 1), "ST").court.kind == "court_district" for _ in range(30))


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_wide_truth_is_what_the_born_digital_paper_says(wide) -> None:
    out, truth = wide
    born = [t for t in truth if t["degradation"] == "born_digital"]
    assert born
    for t in born:
        text = unicodedata.normalize("NFC", " ".join(_pdf_text(out / "batch" / t["source"]).split()))
        f = t["fields"]
        assert f["document_number"] in text.replace(" / ", "/")
        name = f["person_name"]
        assert name in text or name.upper() in text, (t["source"], name)
        words = " ".join(" ".join(t["pages"]).split())
        for w in ("Tòa án", "QUYẾT ĐỊNH", "GIẤY CHỨNG NHẬN", "BẢN ÁN"):
            if w in words:
                assert w in text
        for note in (m["text"] for page in t["marks"] for m in page if m["kind"] == "margin_note"):
            assert note not in words  # a margin note is ink, not the document's text
