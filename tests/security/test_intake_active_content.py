"""PDFs that carry actions or payloads are refused at intake, one test per kind.

A scan has no actions; the archive must not sign and serve a PDF that runs
code, opens another file (a /GoToR to a UNC path leaks the viewer's NTLM
hash), calls a URL or carries other files. Each kind is hung where real
documents hang it (the catalog's /OpenAction, an annotation's /A or /AA, a
page's /AA, the /Names tree, an action's /Next chain); the reason names it.
"""
from __future__ import annotations

import pytest
from sohoa.core.config import load_settings
from sohoa.corpus.badfiles import active_content_pdf
from sohoa.pipeline.intake import Intake
from sohoa.pipeline.pdfprobe import ACTIVE_ACTIONS, ProbeLimits, Refused, inspect_pdf

CASES = [
    # (where it hangs, action kind, words the reason must hold)
    ("OpenAction", "JavaScript", "JavaScript"),
    ("names-JavaScript", "", "JavaScript"),
    ("OpenAction", "Launch", "launch action"),
    ("page-AA", "Launch", "launch action"),
    ("annot-A", "GoToR", "remote go-to"),
    ("OpenAction", "GoToR", "remote go-to"),
    ("annot-A", "GoToE", "embedded go-to"),
    ("annot-A", "URI", "link to a URI"),
    ("annot-AA", "URI", "link to a URI"),
    ("annot-A", "SubmitForm", "form submission"),
    ("annot-A", "ImportData", "import action"),
    ("annot-A", "RichMediaExecute", "rich media"),
    ("RichMedia", "", "rich media"),
    ("EmbeddedFiles", "", "embedded file"),
    ("FileAttachment", "", "embedded file"),
    ("XFA", "", "XFA form"),
    ("annot-AA", "Rendition", "media rendition"),
    ("page-AA", "Sound", "sound"),
    ("annot-A", "Movie", "movie"),
    ("OpenAction-chain", "Launch", "launch action"),
]


@pytest.fixture
def intake(tmp_path):
    return Intake(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))


def test_every_action_kind_in_the_list_has_a_case():
    assert {kind for _, kind, _ in CASES if kind} >= {k.lstrip("/") for k in ACTIVE_ACTIONS} - {"GoTo3DView"}


@pytest.mark.parametrize("where,kind,needle", CASES, ids=[f"{w}-{k}" if k else w for w, k, _ in CASES])
def test_a_pdf_with_active_content_is_refused_naming_it(tmp_path, where, kind, needle):
    """The probe's own check, in-process (intake runs the same function in its bounded child)."""
    path = tmp_path / "HS_0001.pdf"
    path.write_bytes(active_content_pdf(where, kind))
    limits = ProbeLimits.from_settings(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))
    with pytest.raises(Refused) as refused:
        inspect_pdf(str(path), limits)
    assert "active content" in str(refused.value) and needle in str(refused.value), refused.value


def test_intake_reports_each_active_pdf_of_a_batch_rejected_and_goes_on(intake, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "01_unc.pdf").write_bytes(active_content_pdf("annot-A", "GoToR"))
    (batch / "02_uri.pdf").write_bytes(active_content_pdf("annot-A", "URI"))
    (batch / "03_js.pdf").write_bytes(active_content_pdf("OpenAction", "JavaScript"))
    (batch / "04_clean.pdf").write_bytes(_go_to_page_one())
    items = {i.relpath: i for i in intake.scan(batch)}
    reasons = {k: getattr(v, "reason", None) for k, v in items.items()}
    assert "remote go-to" in reasons["01_unc.pdf"] and "link to a URI" in reasons["02_uri.pdf"]
    assert "JavaScript" in reasons["03_js.pdf"]
    assert reasons["04_clean.pdf"] is None and items["04_clean.pdf"].kind == "pdf_image"


def _go_to_page_one() -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_a_plain_go_to_a_page_is_not_active_content(tmp_path):
    """Control: a viewer's OpenAction to page 1 (scanners write it) is no reason to refuse."""
    path = tmp_path / "HS_0002.pdf"
    path.write_bytes(_go_to_page_one())
    limits = ProbeLimits.from_settings(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))
    assert inspect_pdf(str(path), limits) == ("pdf_image", 1)


def test_a_born_digital_pdf_with_an_embedded_font_is_a_text_pdf(tmp_path):
    """A font program is no content stream: the inline-image check must not parse it
    (DejaVu Sans Bold makes qpdf's content parser raise a TypeError)."""
    import io

    import pikepdf
    from sohoa.corpus.fonts import DEJAVU

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font_file = pdf.make_stream((DEJAVU / "DejaVuSans-Bold.ttf").read_bytes())
    descriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/DejaVuSans-Bold"),
                                    Flags=32, FontBBox=pikepdf.Array([0, -250, 1000, 1000]), ItalicAngle=0,
                                    Ascent=900, Descent=-250, CapHeight=700, StemV=80, FontFile2=font_file)
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType,
                              BaseFont=pikepdf.Name("/DejaVuSans-Bold"), FirstChar=32, LastChar=126,
                              Widths=pikepdf.Array([600] * 95), FontDescriptor=pdf.make_indirect(descriptor))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 760 Td (TOA AN NHAN DAN QUAN CAU GIAY BAN AN) Tj ET")
    path = tmp_path / "born-digital.pdf"
    buf = io.BytesIO()
    pdf.save(buf)
    path.write_bytes(buf.getvalue())
    limits = ProbeLimits.from_settings(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")}))
    assert inspect_pdf(str(path), limits) == ("pdf_text", 1)


def test_a_sohoa_folder_in_the_working_directory_is_not_imported_by_the_probe(tmp_path, monkeypatch):
    """`sohoa process .` run inside a batch holding a folder 'sohoa/' with code in it."""
    from sohoa.core.config import load_settings as settings_of
    from sohoa.pipeline.intake import Intake

    batch = tmp_path / "batch"
    (batch / "sohoa").mkdir(parents=True)
    planted = tmp_path / "planted-ran"
    (batch / "sohoa" / "__init__.py").write_text(f"open({str(planted)!r}, 'w').write('x')\n")
    (batch / "HS_0003.pdf").write_bytes(_go_to_page_one())
    monkeypatch.chdir(batch)
    items = {i.relpath: i for i in Intake(settings_of(env={"SOHOA_HOME": str(tmp_path / "home")})).scan(batch)}
    assert items["HS_0003.pdf"].kind == "pdf_image"
    assert not planted.exists()
