"""Hostile cases of the hand-over package: where `sohoa export -o` must not write (a non-empty
directory, a symlink), a selection with nothing in it, a dossier code made of path characters,
and packages tampered with after export -- a byte of a PDF, a METS edit, a file removed, a file
added, a PDF swapped for another validly signed one with the manifests rewritten to match, a METS
pointing out of the package. `sohoa export --verify` must fail and name the file."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import bagit
import pytest
from conftest import run_sohoa
from handover_archive import copy_home, processed_archive, runtime
from sohoa.archive.models import Document, Dossier
from sohoa.handover.bag import export_package
from sohoa.handover.errors import EmptySelection, TargetRefused
from sohoa.handover.selection import Selection
from sohoa.handover.verify import verify_package
from sqlalchemy import select


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return processed_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def package(archive, tmp_path_factory) -> Path:
    home, batch_id = archive
    out = tmp_path_factory.mktemp("pkg") / "pkg"
    export_package(runtime(home), Selection("batch", batch=batch_id), out)
    assert verify_package(out).ok
    return out


@pytest.fixture
def copy(package, tmp_path) -> Path:
    dest = tmp_path / "copy"
    shutil.copytree(package, dest)
    for p in dest.rglob("*"):  # writable, to tamper with
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dest


def _problems(pkg: Path) -> str:
    rep = verify_package(pkg)
    assert not rep.ok
    return "\n".join(rep.problems)


def _pdfs(pkg: Path) -> list[Path]:
    return sorted(pkg.glob("data/objects/*/signed.pdf"))


def test_refuses_a_non_empty_directory(archive, tmp_path):
    home, batch_id = archive
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("someone's file")
    with pytest.raises(TargetRefused, match=f"{re.escape(str(out))}: directory is not empty"):
        export_package(runtime(home), Selection("batch", batch=batch_id), out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_refuses_a_symlink(archive, tmp_path):
    home, batch_id = archive
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(TargetRefused, match="symbolic link"):
        export_package(runtime(home), Selection("batch", batch=batch_id), link)
    assert list(target.iterdir()) == []


def test_an_empty_selection_is_a_clear_error(archive, tmp_path):
    home, _ = archive
    proc = run_sohoa(home, "export", "--batch", "NO-SUCH-BATCH", "-o", str(tmp_path / "x"), check=False)
    assert proc.returncode == 2 and "no archived document" in proc.stderr and "NO-SUCH-BATCH" in proc.stderr
    assert not (tmp_path / "x").exists()
    with pytest.raises(EmptySelection):
        export_package(runtime(home), Selection("dossier", dossier="HS-NONE"), tmp_path / "y")


def test_a_dossier_code_with_path_characters_stays_inside(archive, tmp_path):
    home = copy_home(archive[0], tmp_path / "home")
    rt = runtime(home)
    code = "../../evil/..\\x:y"
    now = datetime.now(timezone.utc)
    with rt.catalogue.session() as s:
        s.add(Dossier(code=code, title="=HYPERLINK(\"http://x\") <script>alert(1)</script>", declared=True,
                      created_at=now, updated_at=now))
        s.flush()
        for i, d in enumerate(s.scalars(select(Document).order_by(Document.document_id)), 1):
            d.dossier_code, d.dossier_ordinal = code, i
    out = tmp_path / "out" / "pkg"
    out.parent.mkdir()
    res = export_package(rt, Selection("dossier", dossier=code), out)
    assert res.dossiers == [code]
    mets = list((out / "data" / "mets").iterdir())
    assert len(mets) == 1 and re.fullmatch(r"[A-Za-z0-9._-]+\.xml", mets[0].name)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pkg"]  # nothing written beside it
    assert not (tmp_path / "evil").exists()
    assert "<script>" not in (out / "data" / "muc-luc-ho-so.html").read_text("utf-8")
    rows = list(csv.reader(io.StringIO((out / "data" / "muc-luc-ho-so.csv").read_text("utf-8-sig"))))[1:]
    assert rows and all(r[1].startswith("'=HYPERLINK") for r in rows)  # text, not a formula
    assert verify_package(out).ok


def test_one_byte_of_a_pdf(copy):
    pdf = _pdfs(copy)[0]
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    problems = _problems(copy)
    rel = str(pdf.relative_to(copy))
    assert re.search(rf"{re.escape(rel)}: sha256 is .* the manifest says", problems)
    assert f"{rel}: signature NOT VALID" in problems


def test_a_mets_edit(copy):
    mets = sorted(copy.glob("data/mets/*.xml"))[0]
    mets.write_text(mets.read_text("utf-8").replace("Vĩnh viễn", "10 năm", 1), "utf-8")
    rel = str(mets.relative_to(copy))
    assert re.search(rf"{re.escape(rel)}: sha256 is .* the manifest says", _problems(copy))


def test_a_mets_edit_against_the_schema_with_manifests_rewritten(copy):
    mets = sorted(copy.glob("data/mets/*.xml"))[0]
    mets.write_text(mets.read_text("utf-8").replace("<premis:eventType>", "<premis:eventKind>", 1)
                    .replace("</premis:eventType>", "</premis:eventKind>", 1), "utf-8")
    bagit.Bag(str(copy)).save(manifests=True)
    problems = _problems(copy)
    assert f"data/mets/{mets.name}: not valid METS" in problems and "eventKind" in problems


def test_a_removed_file(copy):
    pdf = _pdfs(copy)[1]
    pdf.unlink()
    rel = str(pdf.relative_to(copy))
    problems = _problems(copy)
    assert f"{rel}: listed in the manifest but missing" in problems
    assert f"{rel}: named by" in problems


def test_an_added_file(copy):
    extra = copy / "data" / "objects" / "extra.pdf"
    extra.write_bytes(_pdfs(copy)[0].read_bytes())
    problems = _problems(copy)
    assert "data/objects/extra.pdf: present but not in the manifest (file added)" in problems


def test_a_swapped_pdf_with_a_valid_signature_and_rewritten_manifests(copy):
    a, b = _pdfs(copy)
    shutil.copyfile(b, a)  # a real, validly signed original -- of another document
    bagit.Bag(str(copy)).save(manifests=True)
    assert bagit.Bag(str(copy)).is_valid()  # the bag alone cannot tell
    problems = _problems(copy)
    rel = str(a.relative_to(copy))
    assert re.search(rf"{re.escape(rel)}: SHA-256 \w+ differs from the PREMIS fixity", problems)
    assert "signature NOT VALID" not in problems  # the signature itself is fine: the fixity caught it


def test_a_mets_pointing_out_of_the_package(copy):
    mets = sorted(copy.glob("data/mets/*.xml"))[0]
    text = mets.read_text("utf-8")
    mets.write_text(re.sub(r'xlink:href="[^"]+"', 'xlink:href="../../../../etc/passwd"', text, count=1), "utf-8")
    bagit.Bag(str(copy)).save(manifests=True)
    problems = _problems(copy)
    assert f"data/mets/{mets.name}: file F-" in problems and "points outside the package" in problems


def test_verify_exits_1_naming_the_file(copy, archive):
    pdf = _pdfs(copy)[0]
    os.chmod(pdf, 0o644)
    pdf.write_bytes(pdf.read_bytes() + b"%%junk\n")
    proc = run_sohoa(archive[0], "export", "--verify", str(copy), check=False)
    assert proc.returncode == 1 and proc.stdout.startswith("NOT VALID")
    assert str(pdf.relative_to(copy)) in proc.stdout
