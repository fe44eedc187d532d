"""generate_batch: the whole sample corpus (batch, truth, registry, expected)."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from sohoa.core.types import PERSON_FIELDS
from sohoa.corpus import badfiles, degrade, outputs, registry
from sohoa.corpus import variation as _variation
from sohoa.corpus.execution_text import execution_doc
from sohoa.corpus.facts import make_judgment
from sohoa.corpus.judgment_text import judgment_doc, judgment_persons
from sohoa.corpus.layout import Layout, NoteOp, StampOp, Style, layout
from sohoa.corpus.plan import plan
from sohoa.corpus.render import render_pdf, render_raster


@dataclass
class GeneratedBatch:
    batch_dir: Path
    truth_path: Path
    registry_path: Path
    documents: int  # good documents
    bad: int  # bad input files
    expected_path: Path | None = None


def _formats(rng: random.Random, n: int) -> list[str]:
    base = ["pdf_image", "pdf_text", "tiff", "image_dir:png", "image_dir:jpeg", "image_dir:tiff"]
    weights = {"pdf_image": 30, "pdf_text": 15, "tiff": 20, "image_dir:png": 12, "image_dir:jpeg": 15, "image_dir:tiff": 8}
    out = base[:n] if n < len(base) else base + rng.choices(list(weights), list(weights.values()), k=n - len(base))
    rng.shuffle(out)
    return out


def _name(rng: random.Random, i: int, spec, fields: dict) -> str:
    r = rng.random()
    if r < 0.5:
        return f"HS_{fields['issue_date'][:4]}_{i:04d}"
    if r < 0.75:
        return f"scan_{i:04d}"
    if r < 0.9:
        kind = {"judgment": "Ban an", "decision": "Quyet dinh", "certificate": "Giay chung nhan"}[spec.doc_type]
        return f"{kind} {fields['document_number'].split('/')[0]}-{i:03d}"
    kind = {"judgment": "Bản án", "decision": "Quyết định", "certificate": "Giấy chứng nhận"}[spec.doc_type]
    return f"{kind} {fields['person_name']} {i:03d}"


def _jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")


def generate_batch(out_dir: Path, docs: int = 20, seed: int = 0, degradation: str = "medium",
                   bad_files: bool = True, co_defendants: float | None = None,
                   variation: str = "default") -> GeneratedBatch:
    """Write `out_dir/batch/`, `truth.jsonl`, `registry.jsonl`, `expected.jsonl`.

    Deterministic for a given (docs, seed, degradation, bad_files, co_defendants, variation).
    co_defendants: the share of judgments with 2-4 defendants (facts.make_judgment).
    variation: `default` (the corpus of earlier seeds, unchanged) or `wide` (corpus/variation.py).
    """
    with _variation.use(variation):
        return _generate(Path(out_dir), docs, seed, degradation, bad_files, co_defendants)


def _marks(page_ops: list, over_header: list[str]) -> list[dict]:
    """Wide variation: the marks laid over a page after printing (truth `marks`)."""
    out: list[dict] = [{"kind": k} for k in over_header]
    for op in page_ops:
        if isinstance(op, NoteOp):
            out.append({"kind": "margin_note", "text": op.text})
        elif isinstance(op, StampOp):
            out.append({"kind": "received_stamp", "lines": op.lines})
    return out


def _generate(out_dir: Path, docs: int, seed: int, degradation: str, bad_files: bool,
              co_defendants: float | None) -> GeneratedBatch:
    wide = _variation.is_wide()
    if degradation not in degrade.LEVELS:
        raise ValueError(f"degradation must be one of {degrade.LEVELS}")
    if docs < 1:
        raise ValueError("docs must be >= 1")
    batch_dir = out_dir / "batch"
    if batch_dir.exists():
        shutil.rmtree(batch_dir)
    batch_dir.mkdir(parents=True)
    rng = random.Random(f"sohoa-corpus:{seed}")
    batch_id = f"LO-{2025 if seed % 2 else 2026}-{seed % 1000:03d}-{rng.randint(100, 999)}"
    (batch_dir / "batch.json").write_text(json.dumps({
        "batch_id": batch_id,
        "unit": rng.choice(["Phòng Hồ sơ nghiệp vụ Công an tỉnh Đồng Nai", "Trung tâm Lý lịch tư pháp quốc gia",
                            "Cơ quan thi hành án hình sự Công an thành phố Hà Nội", "Sở Tư pháp tỉnh Nghệ An"]),
        "operator": rng.choice(["Nguyễn Thị Hồng Nhung", "Trần Minh Quân", "Lê Thu Trang", "Phạm Văn Khải"]),
        "scanned_at": (dt.datetime(2026, 11, 23, 8, 0) + dt.timedelta(minutes=rng.randint(0, 600))).strftime("%Y-%m-%dT%H:%M:%S+07:00"),
        "scanner": rng.choice(["Fujitsu fi-7160", "Kodak i2620", "Canon DR-M160II", "Epson DS-870"]),
    }, ensure_ascii=False, indent=2), encoding="utf-8")

    specs = plan(rng, docs, co_defendants)
    fmts = _formats(rng, docs)
    # one good document with no extension, one with a wrong one: type is decided by content
    no_ext = wrong_ext = None
    file_idx = [i for i, f in enumerate(fmts) if not f.startswith("image_dir")]
    if file_idx:
        no_ext = file_idx[0]
        if len(file_idx) > 1:
            wrong_ext = file_idx[1]
    truth: list[dict] = []
    used_names: set[str] = set()
    good_pdf_for_bad: bytes | None = None
    for i, (spec, fmt) in enumerate(zip(specs, fmts), 1):
        drng = random.Random(rng.randrange(1 << 62))
        if spec.doc_type == "judgment":
            doc, fields, dist, tpl = judgment_doc(drng, spec.judgment)
        else:
            if spec.kind is None:
                raise ValueError(f"a {spec.doc_type} planned without its decision kind")
            doc, fields, dist, tpl = execution_doc(drng, spec.doc_type, spec.kind, spec.judgment, spec.date)
        style = Style.random(drng)
        lay = Layout(doc, style, drng)
        pages = lay.run()
        if lay.stamp_entries:  # a received stamp's handwritten number and date are not the document's
            dist.append({"kind": "received_stamp", "document_number": lay.stamp_entries["number"],
                         "date": lay.stamp_entries["date"]})
        name = _name(drng, i, spec, fields)
        while name in used_names:
            name += "_b"
        used_names.add(name)
        page_meta = []
        container = fmt.split(":")[0]
        level = "born_digital" if container == "pdf_text" else degradation
        if container == "pdf_text":
            buf = io.BytesIO()
            render_pdf(pages, buf, title=" ".join(doc.title))
            data = buf.getvalue()
            if good_pdf_for_bad is None:
                good_pdf_for_bad = data
            ext = ".pdf"
            if i - 1 == no_ext:
                ext = ""
            elif i - 1 == wrong_ext:
                ext = ".tif"
            source = name + ext
            (batch_dir / source).write_bytes(data)
            page_meta = [{"dpi": None, "rotation": 0, "skew_deg": 0.0, "color": "text"} for _ in pages]
        else:
            heavy = degradation == "heavy"
            dpi = 200 if heavy and drng.random() < 0.3 else 300
            if fmt in ("image_dir:png", "image_dir:tiff"):  # lossless page files: grey or black-and-white
                color = drng.choices(["rgb", "gray", "bilevel"], [10, 70, 20])[0]
            else:
                color = drng.choices(["rgb", "gray", "bilevel"], [60, 35, 5 if container == "tiff" else 0])[0]
            dplan = degrade.plan(drng, degradation)
            images = []
            for pno, page in enumerate(pages, 1):
                arr = render_raster(page, dpi, ink=(drng.randint(5, 40), drng.randint(5, 40), drng.randint(5, 40)))
                arr, rec = degrade.apply(arr, dplan, drng, pno)
                images.append(outputs.to_mode(arr, color))
                page_meta.append({"dpi": dpi, "color": color, **rec})
            quality = {"none": 92, "light": 88, "medium": 80, "heavy": 65}[degradation]
            if container == "pdf_image":
                ext = ".pdf" if i - 1 not in (no_ext, wrong_ext) else ("" if i - 1 == no_ext else ".jpg")
                source = name + ext
                outputs.write_image_pdf(batch_dir / source, images, dpi, quality)
            elif container == "tiff":
                ext = ".tif" if drng.random() < 0.7 else ".tiff"
                if i - 1 == no_ext:
                    ext = ""
                elif i - 1 == wrong_ext:
                    ext = ".pdf"
                source = name + ext
                outputs.write_tiff(batch_dir / source, images, dpi, quality)
            else:
                ifmt = fmt.split(":")[1]
                naming = drng.choice(["page_{i:03d}", "{i:04d}", "trang_{i:02d}", "IMG_{i:04d}", "scan {i:03d}"])
                source = name
                outputs.write_image_dir(batch_dir / source, images, dpi, ifmt, naming, quality)
        line = {
            "source": source,
            "doc_type": spec.doc_type,
            "decision_kind": spec.kind,
            "fields": fields,
            "pages": [p.text for p in pages],
            "degradation": level,
            "layout": tpl,
            "format": fmt,
            "style": {"font": style.family, "size": style.size, "leading": style.leading,
                      "header": doc.header.layout},
            "page_meta": page_meta,
            # contract section 5: every person of the document, in the order it names them
            "persons": (judgment_persons(spec.judgment) if spec.doc_type == "judgment"
                        else [{k: v for k, v in fields.items() if k in PERSON_FIELDS}]),
            "subject": {"person_name": fields["person_name"], "position": 1,
                        "defendants": len(spec.judgment.defendants) if spec.doc_type == "judgment" else 1},
            "dossier": spec.dossier,
            "distractors": dist,
        }
        if wide:
            line["variation"] = "wide"
            line["style"].update(drift={"right_dx": round(style.right_dx, 1), "right_dy": round(style.right_dy, 1),
                                        "left_dx": round(style.left_dx, 1), "line_jitter": round(style.line_jitter, 1),
                                        "date_dy": style.date_dy})
            line["marks"] = [_marks(p.ops, lay.over_header if k == 0 else []) for k, p in enumerate(pages)]
        truth.append(line)

    bad_lines: list[dict] = []
    if bad_files:
        if good_pdf_for_bad is None:
            # no born-digital document in this batch: make one just for the bad copies
            brng = random.Random(rng.randrange(1 << 62))
            j = make_judgment(brng, dt.date(2023, 6, 1), "ST")
            doc, *_ = judgment_doc(brng, j)
            buf = io.BytesIO()
            render_pdf(layout(doc, Style.random(brng), brng), buf)
            good_pdf_for_bad = buf.getvalue()
        bad_lines = badfiles.write_bad_files(batch_dir, random.Random(rng.randrange(1 << 62)), good_pdf_for_bad, batch_id)

    # registry with seeded discrepancies, plus records with no document
    rrng = random.Random(rng.randrange(1 << 62))
    orphans = []
    for k in range(2 if docs >= 5 else 1):
        kind = ("decision", "execute_sentence") if k % 2 else ("judgment", None)
        j = make_judgment(rrng, dt.date(2022 + k, 3 + k, 10 + k), "ST")
        while j.subject.sentence.kind != "imprisonment":
            j = make_judgment(rrng, dt.date(2022 + k, 3 + k, 10 + k), "ST")
        if kind[0] == "judgment":
            _, f, _, _ = judgment_doc(rrng, j)
        else:
            _, f, _, _ = execution_doc(rrng, "decision", "execute_sentence", j, j.date + dt.timedelta(days=40))
        orphans.append(f)
    records, expected = registry.build(rrng, truth, orphans)
    expected += [{"source": b["source"], "status": "rejected", "why": b["why"]} for b in bad_lines]

    truth_path = out_dir / "truth.jsonl"
    registry_path = out_dir / "registry.jsonl"
    expected_path = out_dir / "expected.jsonl"
    _jsonl(truth_path, truth + bad_lines)
    _jsonl(registry_path, records)
    _jsonl(expected_path, expected)
    return GeneratedBatch(batch_dir, truth_path, registry_path, len(truth), len(bad_lines), expected_path)
