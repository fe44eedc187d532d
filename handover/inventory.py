"""The package's human-readable inventory, in Vietnamese: "Mục lục hồ sơ" (the dossier list)
as one HTML page and one CSV (one row per document, the dossier's columns repeated)."""
from __future__ import annotations

import csv
import html
import io
from typing import Any

from .selection import Group

CSV_COLUMNS = ["Mã hồ sơ", "Tiêu đề hồ sơ", "Từ ngày", "Đến ngày", "Số tài liệu", "Số trang", "Thời hạn bảo quản",
               "STT", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Số trang tài liệu",
               "Mã tài liệu", "Tệp"]


def _number(a: dict[str, Any], fields: dict[str, Any]) -> str:
    if a.get("CodeNumber") and a.get("CodeNotation"):
        return f"{a['CodeNumber']}/{a['CodeNotation']}"
    return str(fields.get("document_number") or a.get("CodeNotation") or "")


def rows(groups: list[Group], metas: dict[str, dict[str, Any]], paths: dict[str, str]) -> list[list[str]]:
    out = []
    for g in groups:
        m = metas[g.code]
        for d in g.documents:
            a = d.archival
            out.append([g.code, str(m.get("Title") or ""), str(m.get("StartDate") or ""), str(m.get("EndDate") or ""),
                        str(len(g.documents)), str(sum(x.page_count for x in g.documents)),
                        str(m.get("Maintenance") or "Vĩnh viễn"), str(d.ordinal), _number(a, d.fields),
                        str(a.get("IssuedDate") or d.fields.get("issue_date") or ""),
                        str(a.get("OrganName") or d.fields.get("issuer") or ""), str(a.get("Subject") or ""),
                        str(d.page_count), d.document_id, paths.get(d.document_id, "")])
    return out


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (a title or summary read from
    paper may) gets a leading apostrophe (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def inventory_csv(table: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    w.writerows([[_cell(c) for c in row] for row in table])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read it as UTF-8


def inventory_html(groups: list[Group], metas: dict[str, dict[str, Any]], paths: dict[str, str],
                   unit: str | None, selection: str) -> bytes:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8"><title>Mục lục hồ sơ</title>',
             "<style>body{font-family:serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:2em}"
             "td,th{border:1px solid #444;padding:4px;vertical-align:top}th{background:#eee}</style></head><body>",
             "<h1>MỤC LỤC HỒ SƠ</h1>",
             f"<p>Đơn vị: {e(unit or '')}<br>Phạm vi: {e(selection)}<br>Số hồ sơ: {len(groups)}; "
             f"số tài liệu: {sum(len(g.documents) for g in groups)}</p>"]
    for g in groups:
        m = metas[g.code]
        parts.append(f"<h2>Hồ sơ {e(g.code)}: {e(str(m.get('Title') or ''))}</h2>")
        parts.append(f"<p>Thời gian: {e(str(m.get('StartDate') or '?'))} – {e(str(m.get('EndDate') or '?'))}; "
                     f"số tài liệu: {len(g.documents)}; số trang: {sum(d.page_count for d in g.documents)}; "
                     f"thời hạn bảo quản: {e(str(m.get('Maintenance') or 'Vĩnh viễn'))}; "
                     f"METS: mets/{e(g.slug)}.xml</p>")
        parts.append("<table><tr><th>STT</th><th>Số, ký hiệu</th><th>Ngày ban hành</th><th>Cơ quan ban hành</th>"
                     "<th>Trích yếu</th><th>Số trang</th><th>Tệp</th></tr>")
        for d in g.documents:
            a = d.archival
            parts.append(
                f"<tr><td>{d.ordinal}</td><td>{e(_number(a, d.fields))}</td>"
                f"<td>{e(str(a.get('IssuedDate') or d.fields.get('issue_date') or ''))}</td>"
                f"<td>{e(str(a.get('OrganName') or d.fields.get('issuer') or ''))}</td>"
                f"<td>{e(str(a.get('Subject') or ''))}</td><td>{d.page_count}</td>"
                f"<td>{e(paths.get(d.document_id, ''))}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")
