"""The sample-corpus generator: real files, canonical truth, consistent registry."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sohoa.corpus import GeneratedBatch, generate_batch
from sohoa.pipeline.intake import sniff

DOCS, SEED = 8, 7
DECISION_KINDS = {"execute_sentence", "postpone", "suspend", "reduce", "shorten_probation", "exempt", "parole",
                  "completion", "expunge"}
PENALTIES = {"imprisonment", "suspended_imprisonment", "non_custodial_reform", "fine", "life_imprisonment", "death",
             "expulsion"}


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]


def _sniff(path: Path) -> str | None:
    return sniff(path.read_bytes()[:2048])  # the pipeline's own content sniffing


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def gen(tmp_path_factory) -> GeneratedBatch:
    return generate_batch(tmp_path_factory.mktemp("corpus"), docs=DOCS, seed=SEED, degradation="medium")


@pytest.fixture(scope="module")
def truth(gen):
    rows = _lines(gen.truth_path)
    return [r for r in rows if not r.get("bad")], [r for r in rows if r.get("bad")]


def test_result_and_layout(gen, truth):
    good, bad = truth
    assert gen.documents == DOCS == len(good)
    assert gen.bad == len(bad) >= 6
    assert gen.batch_dir.is_dir() and gen.registry_path.is_file() and gen.expected_path.is_file()
    meta = json.loads((gen.batch_dir / "batch.json").read_text(encoding="utf-8"))
    assert {"batch_id", "unit", "operator", "scanned_at"} <= set(meta)
    dt.datetime.fromisoformat(meta["scanned_at"])
    # every entry of the batch directory is accounted for by the truth
    entries = {p.name for p in gen.batch_dir.iterdir()} - {"batch.json"}
    assert entries == {r["source"] for r in good + bad}


def test_deterministic_for_a_seed(gen, tmp_path):
    again = generate_batch(tmp_path, docs=DOCS, seed=SEED, degradation="medium")
    assert _tree_hashes(gen.batch_dir) == _tree_hashes(again.batch_dir)
    for name in ("truth.jsonl", "registry.jsonl", "expected.jsonl"):
        assert (gen.truth_path.parent / name).read_bytes() == (tmp_path / name).read_bytes()


def test_other_seed_differs(gen, tmp_path):
    other = generate_batch(tmp_path, docs=2, seed=SEED + 1, degradation="none", bad_files=False)
    assert other.bad == 0
    a = {r["fields"]["document_number"] for r in _lines(gen.truth_path) if not r.get("bad")}
    b = {r["fields"]["document_number"] for r in _lines(other.truth_path)}
    assert not b <= a
    assert all(not r.get("bad") for r in _lines(other.truth_path))


def test_bad_degradation_level_refused(tmp_path):
    with pytest.raises(ValueError):
        generate_batch(tmp_path, docs=1, degradation="extreme")


def test_good_files_open_as_their_real_type(gen, truth):
    good, _ = truth
    misnamed = 0
    kinds = set()
    for r in good:
        p = gen.batch_dir / r["source"]
        container = r["format"].split(":")[0]
        kinds.add(container)
        n = len(r["pages"])
        assert len(r["page_meta"]) == n
        if container in ("pdf_image", "pdf_text"):
            assert _sniff(p) == "pdf"
            with pikepdf.open(p) as pdf:
                assert len(pdf.pages) == n
                has_font = any("/Font" in (pg.get("/Resources") or {}) for pg in pdf.pages)
                assert has_font == (container == "pdf_text")
            misnamed += p.suffix.lower() != ".pdf"
        elif container == "tiff":
            assert _sniff(p) == "tiff"
            with Image.open(p) as im:
                assert im.format == "TIFF" and im.n_frames == n
                assert round(im.info["dpi"][0]) in (200, 300)
                assert im.size[0] >= 1600
            misnamed += p.suffix.lower() not in (".tif", ".tiff")
        else:
            assert p.is_dir()
            files = sorted(f for f in p.iterdir())
            assert len(files) == n
            want = r["format"].split(":")[1]
            for f in files:
                assert _sniff(f) == {"png": "png", "jpeg": "jpeg", "tiff": "tiff"}[want]
                with Image.open(f) as im:
                    im.load()
                    assert im.size[0] >= 1600
    assert misnamed >= 1, "one good document must have a missing or wrong extension"
    assert {"pdf_image", "pdf_text", "tiff", "image_dir"} <= kinds


def test_bad_files_are_really_bad(gen, truth):
    _, bad = truth
    by_why = {r["why"].split(":")[0].split(" ")[0]: gen.batch_dir / r["source"] for r in bad}
    assert by_why["zero-byte"].stat().st_size == 0
    with pytest.raises(pikepdf.PdfError):
        pikepdf.open(by_why["truncated"])
    assert by_why["truncated"].read_bytes().startswith(b"%PDF-")
    txt = by_why["plain"]
    assert txt.suffix == ".pdf" and _sniff(txt) is None
    txt.read_bytes().decode("utf-8")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(by_why["encrypted"])
    with pikepdf.open(by_why["encrypted"], password="matkhau123") as pdf:
        assert pdf.is_encrypted and len(pdf.pages) >= 1
    bomb = by_why["decompression"]
    assert bomb.stat().st_size < 1000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(bomb)
    rnd = by_why["random"]
    assert _sniff(rnd) is None
    with pytest.raises(Image.UnidentifiedImageError):
        Image.open(rnd)


NUMBER = re.compile(r"^\d{1,4}/(\d{4}/)?[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$")


def _check_fields(f: dict, r: dict) -> None:
    assert f["doc_type"] == r["doc_type"] in ("judgment", "decision", "certificate")
    num = f["document_number"]
    assert NUMBER.match(num) and num == num.upper() and " " not in num, num
    issue = dt.date.fromisoformat(f["issue_date"])
    if num.count("/") == 2:
        assert int(num.split("/")[1]) == issue.year
    if r["doc_type"] == "judgment":
        assert "decision_kind" not in f
        assert f["trial_level"] in ("ST", "PT") and num.replace("-", "").endswith("HS" + f["trial_level"])
        assert f["penal_code_articles"] and all(a.isdigit() for a in f["penal_code_articles"])
    else:
        assert f["decision_kind"] == r["decision_kind"] in DECISION_KINDS
        assert NUMBER.match(f["judgment_ref"]) and "/HS" in f["judgment_ref"]
        assert f["judgment_ref"] != num
    if r["doc_type"] == "certificate":
        assert f["decision_kind"] in ("completion", "expunge")
    for k in ("birth_date",):
        v = f[k]
        assert re.fullmatch(r"\d{4}", v) or dt.date.fromisoformat(v)
    if "effective_date" in f:
        assert dt.date.fromisoformat(f["effective_date"]) <= issue + dt.timedelta(days=30)
    assert unicodedata.is_normalized("NFC", f["person_name"]) and unicodedata.is_normalized("NFC", f["issuer"])
    assert all(w[0].isupper() for w in f["person_name"].split())
    assert re.sub(r"\s+", " ", f["issuer"]).strip() == f["issuer"]
    assert "personal_id" in f or "passport_number" in f or any(d["kind"] == "old_9_digit_id" for d in r["distractors"]) \
        or r["doc_type"] != "judgment"
    if "personal_id" in f:
        assert re.fullmatch(r"\d{12}", f["personal_id"])
    for c in f.get("charges", []):
        assert c[0].isupper() and unicodedata.is_normalized("NFC", c)
    if "principal_penalty" in f:
        assert f["principal_penalty"] in PENALTIES
    for k in ("penalty_months", "probation_months", "fine_vnd", "duration_months"):
        if k in f:
            assert isinstance(f[k], int) and f[k] > 0
    if f.get("principal_penalty") == "suspended_imprisonment" and r["doc_type"] == "judgment":
        assert f["probation_months"] >= 12


def test_truth_fields_are_canonical_and_printed(truth):
    good, _ = truth
    for r in good:
        f = r["fields"]
        _check_fields(f, r)
        text = "\n".join(r["pages"])
        flat = re.sub(r"\s+", "", text)
        assert f["document_number"] in flat, f["document_number"]
        assert f["person_name"] in text or f["person_name"].upper() in text
        first_page = r["pages"][0]
        issuer_words = f["issuer"].upper().split()
        assert all(w in first_page.upper() for w in issuer_words[-2:]), (f["issuer"], first_page[:200])
        if "personal_id" in f:
            assert f["personal_id"] in text
        if r["doc_type"] == "judgment":
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "NHÂN DANH" in text
        assert r["degradation"] in ("medium", "born_digital")
        assert r["distractors"], "every document carries distractors"


def test_kinds_are_varied_across_a_larger_plan():
    from sohoa.corpus.plan import plan

    specs = plan(random.Random(1), 20)
    kinds = {(s.doc_type, s.kind) for s in specs}
    assert {k for _, k in kinds if k} >= {"execute_sentence", "postpone", "suspend", "reduce", "shorten_probation",
                                          "exempt", "parole", "completion", "expunge"}
    assert ("judgment", None) in kinds
    levels = {s.judgment.level for s in specs if s.doc_type == "judgment"}
    assert levels == {"ST", "PT"}


def _keys(rec: dict):
    return (rec["doc_type"], rec["document_number"]), (rec.get("personal_id"), rec["doc_type"], rec["issue_date"])


def test_registry_consistent_with_expected(gen, truth):
    good, bad = truth
    registry = {r["record_id"]: r for r in _lines(gen.registry_path)}
    expected = _lines(gen.expected_path)
    by_source = {r["source"]: r for r in good}
    statuses = [e["status"] for e in expected]
    assert statuses.count("unmatched_registry") >= 1
    assert statuses.count("rejected") == len(bad)
    assert {"matched", "mismatch", "unmatched"} <= set(statuses)
    assert sum(1 for e in expected if e["source"] in by_source) == len(good)
    doc_keys = [_keys(r["fields"]) for r in good]
    for e in expected:
        if e["status"] in ("matched", "mismatch"):
            t = by_source[e["source"]]["fields"]
            rec = registry[e["registry_record_id"]]
            diff = sorted(k for k in set(t) | set(rec) - {"record_id"} if t.get(k) != rec.get(k))
            assert diff == sorted(e["discrepancy_fields"])
            assert len(diff) == (0 if e["status"] == "matched" else 1)
            for d in e["discrepancies"]:
                assert d["document_value"] == t[d["field"]] and d["registry_value"] == rec[d["field"]]
            k1, k2 = _keys(rec)
            if e["match_by"] == "document_number":
                assert k1 == _keys(t)[0]
            else:
                assert e["discrepancy_fields"] == ["document_number"] and k2 == _keys(t)[1] and k2[0]
        elif e["status"] == "unmatched":
            k1, k2 = _keys(by_source[e["source"]]["fields"])
            for rec in registry.values():
                assert _keys(rec)[0] != k1 and (not k2[0] or _keys(rec)[1] != k2)
        elif e["status"] == "unmatched_registry":
            rec = registry[e["registry_record_id"]]
            k1, k2 = _keys(rec)
            assert all(k1 != d1 and k2 != d2 for d1, d2 in doc_keys)
    referenced = {e["registry_record_id"] for e in expected if e.get("registry_record_id")}
    assert referenced == set(registry)


def test_born_digital_pdf_has_vietnamese_text_layer(gen, truth):
    import pdfplumber

    good, _ = truth
    born = [r for r in good if r["format"] == "pdf_text"]
    assert born
    r = born[0]
    with pdfplumber.open(gen.batch_dir / r["source"]) as pdf:
        text = pdf.pages[0].extract_text()
    text = unicodedata.normalize("NFC", text)
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert r["fields"]["document_number"] in text.replace(" ", "")


def test_vietnamese_glyphs_are_rendered_ocr():
    pytesseract = pytest.importorskip("pytesseract")
    if "vie" not in pytesseract.get_languages(config=""):
        pytest.skip("tesseract vie not installed")
    import datetime as _dt

    from sohoa.corpus.facts import make_judgment
    from sohoa.corpus.judgment_text import judgment_doc
    from sohoa.corpus.layout import Style, layout
    from sohoa.corpus.render import render_raster

    rng = random.Random(11)
    doc, fields, _, _ = judgment_doc(rng, make_judgment(rng, _dt.date(2024, 3, 18), "ST"))
    page = layout(doc, Style.random(rng), rng)[0]
    arr = render_raster(page, 300)
    top = Image.fromarray(arr[: arr.shape[0] // 4]).convert("L")
    text = unicodedata.normalize("NFC", pytesseract.image_to_string(top, lang="vie"))
    assert "CỘNG HÒA" in text or "Độc lập" in text or "Hạnh phúc" in text, text
    assert "NHÂN DÂN" in text or "NHÂN DANH" in text, text
