"""Hostile dossier declarations in batch.json (pipeline/dossiers.py): the batch is refused
with one line saying what is wrong and where, before any file is processed; nothing a
scanning station writes there reaches a path, a log line or the catalogue unchecked."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.pipeline.dossiers import DossierError, check_against_batch, declared_for, parse_dossiers
from sohoa.pipeline.intake import Rejection
from sohoa.pipeline.split import reserve_part_names

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import run_sohoa  # noqa: E402


def _one(files, code="HS-1", **extra):
    return [{"code": code, "files": files, **extra}]


HOSTILE = [
    ({"code": "x"}, "must be a list"),
    ([["HS-1"]], "must be an object"),
    (_one(["a.pdf"], code="H" * 65), "1 to 64 characters"),
    (_one(["a.pdf"], code="HS\x1b[31m"), "control"),
    (_one(["a.pdf"], code="HS\u202e1"), "control or format"),  # RIGHT-TO-LEFT OVERRIDE
    (_one(["a.pdf"], code="../../etc"), "must be 1-64 letters"),
    (_one(["a.pdf"], code="HS 1; DROP TABLE"), "must be 1-64 letters"),
    (_one(["a.pdf"], code=123), "must be a string"),
    (_one(["../../etc/passwd"]), "no paths"),
    (_one(["/etc/passwd"]), "no paths"),
    (_one(["sub/a.pdf"]), "no paths"),
    (_one(["..\\a.pdf"]), "no paths"),
    (_one([".."]), "no paths"),
    (_one(["a\x00.pdf"]), "control"),
    (_one(["a\n.pdf"]), "control"),
    (_one([""]), "1 to 255 characters"),
    (_one([{"file": "a.pdf", "pages": [0, 1]}]), "no range of pages"),
    (_one([{"file": "a.pdf", "pages": [3, 2]}]), "no range of pages"),
    (_one([{"file": "a.pdf", "pages": [1, "2"]}]), "two whole numbers"),
    (_one([{"file": "a.pdf", "pages": [True, 2]}]), "two whole numbers"),
    (_one([{"file": "a.pdf", "pages": [1, 2, 3]}]), "two whole numbers"),
    (_one([{"file": "a.pdf", "pages": [1.5, 2]}]), "two whole numbers"),
    (_one([{"file": "a.pdf", "pages": [1, 10 ** 30]}]), "no range of pages"),
    (_one([{"file": "a.pdf", "pages": [1, 3]}, {"file": "a.pdf", "pages": [3, 4]}]), "overlap"),
    (_one(["a.pdf", {"file": "a.pdf", "pages": [1, 1]}]), "declared whole and again"),
    (_one(["a.pdf", "a.pdf"]), "declared whole and again"),
    (_one([{"file": "a.pdf", "pages": [1, 1], "path": "/x"}]), "unknown key"),
    (_one(["a.pdf"], owner="root"), "unknown key"),
    (_one([]), "non-empty list"),
    (_one(["a.pdf"]) + _one(["b.pdf"]), "declared twice"),
    (_one(["a.pdf"], title="x" * 501), "1 to 500 characters"),
    (_one(["a.pdf"], title="Hồ sơ\u2066ẩn"), "control or format"),  # bidi isolate
    ([{"code": f"H{i}", "files": ["a.pdf"]} for i in range(10_001)], "over the limit"),
]


@pytest.mark.parametrize("raw,needle", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_declarations_are_refused_with_a_clear_reason(raw, needle):
    with pytest.raises(DossierError) as err:
        parse_dossiers(raw)
    msg = str(err.value)
    assert needle in msg and msg.startswith("batch.json") and "\n" not in msg
    assert not any(c in msg for c in "\x1b\x00\u202e\u2066")  # shown escaped, never raw


def test_a_good_declaration_and_names_spelled_as_intake_spells_them():
    raw = [{"code": "HS-2024/017", "title": "Hồ sơ Nguyễn Văn An",
            "files": ["Bản án.pdf", {"file": "ho so.pdf", "pages": [2, 3]}, {"file": "ho so.pdf", "pages": [1, 1]},
                      "50%.pdf"]}]
    entries = parse_dossiers(raw)
    assert [(e.file, e.pages, e.ordinal) for e in entries] == [
        ("Bản án.pdf", None, 1), ("ho so.pdf", (2, 3), 2), ("ho so.pdf", (1, 1), 3), ("50%25.pdf", None, 4)]
    carried = json.loads(json.dumps([e.to_json() for e in entries]))  # through Celery
    assert [e.pages for e in declared_for(carried, "ho so.pdf")] == [(1, 1), (2, 3)]


def _doc(name: str, pages: int, kind: str = "pdf_image") -> SourceDocument:
    return SourceDocument(name, kind, [SourceFile(Path("/nonexistent"), name, "0" * 64, 1)], pages)  # type: ignore[arg-type]


def test_declared_files_must_be_entries_and_ranges_inside_them():
    carried = [e.to_json() for e in parse_dossiers(_one([{"file": "a.pdf", "pages": [2, 5]}]))]
    with pytest.raises(DossierError, match="past its last page"):
        check_against_batch(carried, [_doc("a.pdf", 4)])
    with pytest.raises(DossierError, match="no entry of the batch"):
        check_against_batch(carried, [_doc("b.pdf", 9)])
    with pytest.raises(DossierError, match="page ranges are for a PDF or TIFF"):
        check_against_batch(carried, [_doc("a.pdf", 9, "image_dir")])
    check_against_batch(carried, [_doc("a.pdf", 5)])
    check_against_batch(carried, [Rejection("a.pdf", "truncated")])  # reported rejected, not a batch error


def test_an_entry_named_like_a_part_is_rejected():
    assert isinstance(reserve_part_names(_doc("hs.pdf#pages=1-2", 2)), Rejection)
    assert isinstance(reserve_part_names(_doc("hs#pages.pdf", 2)), SourceDocument)


def test_process_refuses_a_batch_declaring_an_unknown_file(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.pdf").write_bytes(b"%PDF-1.4\n")
    (batch / "batch.json").write_text(json.dumps({"batch_id": "B1", "dossiers": _one(["../secret.pdf"])}), "utf-8")
    proc = run_sohoa(tmp_path / "home", "process", str(batch), "--report", str(tmp_path / "r.json"), check=False)
    assert proc.returncode != 0 and not (tmp_path / "r.json").exists()
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and err.startswith("sohoa: error:") and "no paths" in err
