"""Hostile or broken entries of a batch directory, each with its expected outcome.

The table CASES is the corpus: an entry is built in a batch, intake scans it,
and the outcome (rejected with words in the reason, or accepted as a kind) is
asserted. One scan of one batch holding them all also shows the batch goes on.
"""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Callable

import pikepdf
import pytest
from PIL import Image
from sohoa.core.config import load_settings
from sohoa.core.errors import FatalError
from sohoa.corpus.badfiles import _raw_pdf, encrypt_pdf, write_zeros
from sohoa.pipeline.intake import Intake, Rejection, read_batch_info

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import run_sohoa  # noqa: E402


def _pdf(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _png(size=(200, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, "PNG")
    return buf.getvalue()


def _zeros(p: Path) -> None:
    write_zeros(p, 200 << 20)  # the 200 MB file of zeros


def _text_with_nul(p: Path) -> None:
    p.write_bytes(b"\x00\x00\x00\x01binary header, not text" + bytes(range(32)) * 8)


def _encrypted(p: Path) -> None:
    encrypt_pdf(_pdf(), p)


def _symlink_outside(p: Path) -> None:
    outside = p.parent.parent / "outside.pdf"
    outside.write_bytes(_pdf())
    p.symlink_to(outside)


def _symlink_dir_outside(p: Path) -> None:
    outside = p.parent.parent / "outside_dir"
    outside.mkdir(exist_ok=True)
    (outside / "01.png").write_bytes(_png())
    p.symlink_to(outside, target_is_directory=True)


def _dir_named_like_a_file(p: Path) -> None:
    p.mkdir()


def _dir_named_like_a_file_with_pages(p: Path) -> None:
    p.mkdir()
    (p / "01.png").write_bytes(_png())
    (p / "02.png").write_bytes(_png())


def _folder_with_link_out(p: Path) -> None:
    p.mkdir()
    (p / "01.png").write_bytes(_png())
    outside = p.parent.parent / "secret.png"
    outside.write_bytes(_png())
    (p / "02.png").symlink_to(outside)


def _fifo(p: Path) -> None:
    os.mkfifo(p)  # opening it would block intake for ever


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def _one_page_pdf(pages: bytes, page: bytes) -> bytes:
    return _raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", pages, page])


PAGE_TREE_LOOP = _one_page_pdf(b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
                               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
HUGE_PAGE = _one_page_pdf(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400000 14400000] >>")

CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # (name in the batch, how it is made, expected: "rejected: words" or "accepted: kind")
    ("zeros.pdf", _zeros, "rejected: no content: all 209,715,200 bytes are zero"),
    ("empty.pdf", _bytes(b""), "rejected: empty file (0 bytes)"),
    ("binary.pdf", _text_with_nul, "rejected: unrecognised binary content"),
    ("notes.pdf", _bytes("Danh sách hồ sơ bàn giao\n".encode()), "rejected: plain text"),
    ("truncated.pdf", _bytes(_pdf(2)[:400]), "rejected: truncated PDF"),
    ("no-xref.pdf", _bytes(b"%PDF-1.7\n1 0 obj\n<<\n%%EOF\n"), "rejected: corrupt PDF: unable to find trailer"),
    ("locked.pdf", _encrypted, "rejected: encrypted PDF"),
    ("loop.pdf", _bytes(PAGE_TREE_LOOP), "rejected: corrupt PDF: Loop detected in /Pages"),
    ("huge-page.pdf", _bytes(HUGE_PAGE), "rejected: page 1 too large to rasterize: 14400000x14400000 pt"),
    ("scan.tif", _bytes(_pdf()), "accepted: pdf_image"),  # wrong extension: the bytes decide
    ("page.pdf", _bytes(_png()), "accepted: image"),
    ("link.pdf", _symlink_outside, "rejected: symbolic link"),
    ("linkdir", _symlink_dir_outside, "rejected: symbolic link"),
    ("folder.pdf", _dir_named_like_a_file, "rejected: folder holds no page images"),
    ("pages.pdf", _dir_named_like_a_file_with_pages, "accepted: image_dir"),
    ("folder_link", _folder_with_link_out, "rejected: not a page image file"),
    ("fifo.pdf", _fifo, "rejected: not a regular file"),
]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """One batch holding every case, scanned once."""
    base = tmp_path_factory.mktemp("hostile")
    batch = base / "batch"
    batch.mkdir()
    for name, make, _ in CASES:
        make(batch / name)
    intake = Intake(load_settings(env={"SOHOA_HOME": str(base / "home")}))
    return {item.relpath: item for item in intake.scan(batch)}


@pytest.mark.parametrize("name,make,expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_entry_has_its_expected_outcome(scanned, name, make, expected):
    outcome, words = expected.split(": ", 1)
    item = scanned[name]
    if outcome == "rejected":
        assert isinstance(item, Rejection), item
        assert words in item.reason, item.reason
    else:
        assert not isinstance(item, Rejection), item
        assert item.kind == words


def test_every_entry_is_reported_once(scanned):
    assert set(scanned) == {name for name, _, _ in CASES}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    with (batch / "huge.pdf").open("wb") as fh:  # sparse: 3 GiB declared, nothing written
        fh.truncate(3 << 30)
    intake = Intake(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))
    (item,) = list(intake.scan(batch))
    assert isinstance(item, Rejection) and "file too large" in item.reason and "3221225472" in item.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
def test_an_unreadable_file_is_rejected_and_the_batch_goes_on(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.pdf").write_bytes(_pdf())
    (batch / "b.pdf").write_bytes(_pdf())
    (batch / "a.pdf").chmod(0)
    items = {i.relpath: i for i in Intake(load_settings(env={"SOHOA_HOME": str(tmp_path / "h")})).scan(batch)}
    assert isinstance(items["a.pdf"], Rejection) and "unreadable" in items["a.pdf"].reason
    assert not isinstance(items["b.pdf"], Rejection)


@pytest.mark.slow  # the CLI's start (catalogue, keys) is most of it
def test_an_empty_batch_says_so_and_writes_an_empty_report(tmp_path, home):
    # under a folder whose name is not UTF-8: the batch's recorded source_dir is escaped too
    batch = Path(os.fsdecode(os.fsencode(tmp_path) + b"/qu\xe9t")) / "empty"
    batch.mkdir(parents=True)
    (batch / "batch.json").write_text('{"batch_id": "EMPTY-1"}')  # metadata only: still no files
    report = tmp_path / "report.json"
    proc = run_sohoa(home, "process", "-q", str(batch), "--report", str(report), check=False)
    assert proc.returncode == 0  # contract: the batch ran; nothing in it is no failure
    assert "empty batch, no files to process" in proc.stderr and "empty" in proc.stderr
    assert json.loads(report.read_text("utf-8"))["documents"] == []
    import sqlite3

    with sqlite3.connect(home / "catalogue.sqlite3") as db:
        (source_dir,) = db.execute("select source_dir from batches where batch_id = 'EMPTY-1'").fetchone()
    assert source_dir.endswith("/qu%E9t/empty"), source_dir


@pytest.mark.parametrize("make,needle", [
    (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "RecursionError"),  # nesting bomb
    (lambda p: p.write_bytes(b'{"unit": "' + b"x" * (2 << 20) + b'"}'), "over the limit"),
    (lambda p: p.symlink_to("/etc/passwd"), "symbolic link"),
    (lambda p: p.write_bytes(b"\xff\xfe{}"), "unreadable batch.json"),
])
def test_a_hostile_batch_json_stops_the_run_with_one_line(tmp_path, make, needle):
    batch = tmp_path / "batch"
    batch.mkdir()
    make(batch / "batch.json")
    with pytest.raises(FatalError, match=needle) as err:
        read_batch_info(batch)
    assert "\n" not in str(err.value) and len(str(err.value)) < 400


def test_a_folder_of_too_many_pages_is_refused_before_any_is_read(tmp_path):
    batch = tmp_path / "batch"
    folder = batch / "pages"
    folder.mkdir(parents=True)
    for i in range(60):
        (folder / f"{i:03d}.png").write_bytes(b"")  # empty: reading any would reject it as such
    small = load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}, max_pages=50)
    (item,) = list(Intake(small).scan(batch))
    assert isinstance(item, Rejection) and item.reason == "too many pages: over the limit of 50", item
