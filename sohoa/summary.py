"""Human output of `sohoa process`: a progress line per document and a closing table."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from sohoa.pipeline.orchestrate import DocumentOutcome


def progress_line(done: int, total: int, o: DocumentOutcome) -> str:
    detail = (o.reason or "") if o.status == "rejected" else (o.doc_type or "?")
    if o.reused:
        detail += ", already archived"
    return f"[{done:>{len(str(total))}}/{total}] {o.status:<12} {o.source}  ({detail})"


def summary_table(report, report_path: Path, settings) -> str:
    rows = [("source", "status", "type", "record", "fields<thr", "discrepancies")]
    thr = report.review_threshold
    for d in report.documents:
        low = sum(1 for f in d.fields.values() if f["confidence"] < thr)
        rows.append((
            d.source[:40], d.status, d.doc_type or "-", d.registry_record_id or "-",
            str(low) if d.status != "rejected" else "-",
            ", ".join(x["field"] for x in d.discrepancies) or ("-" if d.status != "rejected" else (d.reason or "")[:50]),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = Counter(d.status for d in report.documents)
    lines.append("")
    lines.append("totals: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    lines.append(f"registry records with no document: {len(report.unmatched_registry)}")
    lines.append(f"report:        {report_path.resolve()}")
    where = (f"s3://{settings.s3_endpoint}/{settings.bucket_prefix}-archive" if settings.store == "s3"
             else str(settings.store_root.resolve()))
    lines.append(f"signed PDFs:   {where} (fetch with: sohoa fetch DOCUMENT_ID -o FILE.pdf)")
    lines.append(f"catalogue:     {settings.database_url}")
    return "\n".join(lines)
