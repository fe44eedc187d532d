"""Intake decides type by content and rejects bad input with a specific reason."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sohoa.core.config import load_settings
from sohoa.core.errors import FatalError
from sohoa.pipeline.intake import Intake, Rejection, read_batch_info


def _png(path: Path, size=(200, 300)) -> Path:
    Image.new("L", size, 255).save(path, "PNG")
    return path


def _pdf(path: Path, pages: int = 1) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


@pytest.fixture
def intake(tmp_path):
    return Intake(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))


def _scan(intake, batch: Path) -> dict[str, object]:
    return {(i.relpath if hasattr(i, "relpath") else i.relpath): i for i in intake.scan(batch)}


def test_types_decided_by_content_not_extension(intake, tmp_path):
    b = tmp_path / "batch"
    b.mkdir()
    _pdf(b / "scan.tif")  # a PDF named .tif
    _png(b / "page.pdf")  # a PNG named .pdf
    img = Image.new("L", (100, 100), 255)
    img.save(b / "multi", "TIFF", save_all=True, append_images=[img.copy()])
    d = b / "folder"
    d.mkdir()
    _png(d / "p10.png")
    _png(d / "p2.png")
    items = _scan(intake, b)
    assert items["scan.tif"].kind == "pdf_image"
    assert items["page.pdf"].kind == "image"
    assert items["multi"].kind == "tiff" and items["multi"].page_count == 2
    folder = items["folder"]
    assert folder.kind == "image_dir"
    assert [f.relpath for f in folder.files] == ["folder/p2.png", "folder/p10.png"]  # natural page order


def test_bad_inputs_rejected_with_specific_reasons(intake, tmp_path):
    b = tmp_path / "batch"
    b.mkdir()
    (b / "empty.pdf").write_bytes(b"")
    good = _pdf(tmp_path / "good.pdf", pages=2).read_bytes()
    (b / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (b / "notes.pdf").write_text("xin chào, đây là văn bản thường\n", "utf-8")
    (b / "random.bin").write_bytes(bytes(range(256)) * 8)
    with pikepdf.open(tmp_path / "good.pdf") as pdf:
        pdf.save(b / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    # A bomb: tiny PNG file that declares a huge image.
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000), 0).save(bomb, "PNG")
    (b / "bomb.png").write_bytes(bomb.getvalue())
    items = _scan(intake, b)
    reasons = {k: v.reason for k, v in items.items()}
    assert all(isinstance(v, Rejection) for v in items.values())
    assert "empty file" in reasons["empty.pdf"]
    assert "truncated PDF" in reasons["truncated.pdf"]
    assert "plain text" in reasons["notes.pdf"]
    assert "unrecognised binary" in reasons["random.bin"]
    assert "encrypted PDF" in reasons["locked.pdf"]
    assert "decompression bomb" in reasons["bomb.png"]


def test_oversized_file_rejected(tmp_path):
    intake = Intake(load_settings(env={"SOHOA_HOME": str(tmp_path)}, max_file_bytes=1000))
    b = tmp_path / "batch"
    b.mkdir()
    _png(b / "big.png", size=(2000, 2000))
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and "too large" in item.reason


def test_bad_page_in_folder_rejects_the_folder_naming_the_page(intake, tmp_path):
    b = tmp_path / "batch"
    d = b / "doc"
    d.mkdir(parents=True)
    _png(d / "01.png")
    (d / "02.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)  # header only
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and item.relpath == "doc" and "doc/02.png" in item.reason


def test_symlink_not_followed(intake, tmp_path):
    b = tmp_path / "batch"
    b.mkdir()
    (b / "link.pdf").symlink_to(_pdf(tmp_path / "outside.pdf"))
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and "symbolic link" in item.reason


def test_batch_info(tmp_path):
    b = tmp_path / "b1"
    b.mkdir()
    assert read_batch_info(b).batch_id == "b1"
    (b / "batch.json").write_text('{"batch_id": "../../etc"}')
    with pytest.raises(FatalError, match="batch_id"):
        read_batch_info(b)
    (b / "batch.json").write_text('{"batch_id": "B-7", "unit": "Phòng hồ sơ", "operator": "lan"}')
    info = read_batch_info(b)
    assert (info.batch_id, info.unit, info.operator) == ("B-7", "Phòng hồ sơ", "lan")


def test_missing_batch_dir_is_fatal(intake, tmp_path):
    with pytest.raises(FatalError, match="no such batch directory"):
        list(intake.scan(tmp_path / "nope"))


def _pdf_with(tmp_path: Path, name: str, mutate) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    mutate(pdf)
    path = tmp_path / name
    pdf.save(path)
    return path


@pytest.mark.parametrize("name,mutate,needle", [
    ("js-open.pdf", lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))), "JavaScript"),
    ("launch.pdf", lambda pdf: setattr(pdf.pages[0].obj, "AA", pikepdf.Dictionary(O=pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))), "launch action"),
    ("attach.pdf", lambda pdf: pdf.attachments.__setitem__(
        "payload.exe", pikepdf.AttachedFileSpec(pdf, b"MZ...")), "embedded file"),
])
def test_pdfs_with_active_content_are_rejected(intake, tmp_path, name, mutate, needle):
    b = tmp_path / "batch"
    b.mkdir()
    _pdf_with(b, name, mutate)
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and "active content" in item.reason and needle in item.reason


def test_object_bomb_rejected(tmp_path):
    intake = Intake(load_settings(env={"SOHOA_HOME": str(tmp_path)}, max_pdf_objects=50))
    b = tmp_path / "batch"
    b.mkdir()

    def many(pdf):
        for i in range(100):
            pdf.make_indirect(pikepdf.Dictionary(N=i))
        pdf.Root.Junk = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(N=i)) for i in range(100)])

    _pdf_with(b, "bomb.pdf", many)
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and "objects, over the limit" in item.reason


def test_hostile_file_names_are_reported_as_they_are(intake, tmp_path):
    b = tmp_path / "batch"
    b.mkdir()
    weird = "<script>alert(1)<\\script>; DROP TABLE documents;--.txt"
    (b / weird).write_text("x")
    (item,) = list(intake.scan(b))
    assert isinstance(item, Rejection) and item.relpath == weird  # stored as data, never interpreted
