"""Archival master data of an archival document (tài liệu lưu trữ) and of an archival
record, the dossier (hồ sơ lưu trữ), built from what was read, the batch and the signature.

Legal sources (README "Archival metadata" has the table, field by field):

* Law on Archives No. 33/2024/QH15 (Luật Lưu trữ, 21 June 2024): Art. 11 -- the
  archival-document database (cơ sở dữ liệu tài liệu lưu trữ); its clause 5 is detailed
  by Decree 113/2025/NĐ-CP (Art. 1 clause 1 of that decree). The field-by-field lists
  of the Decree's articles could not be read here (only its opening articles were
  found), so the lists below are taken from the closest text found:
  Its "basic information of archival documents" (thông tin cơ bản của tài liệu lưu
  trữ), as summarised by the Đồng Nai Department of Justice (bhtpa.dongnai.gov.vn,
  news 1411; the article number was not read and is not cited): archival record --
  mã lưu hồ sơ; tiêu đề hồ sơ; thời hạn lưu trữ; mức độ tiếp cận; ngôn ngữ; thời gian
  bắt đầu; thời gian kết thúc; tổng số tài liệu trong hồ sơ; số lượng trang; ghi chú;
  archival document -- mã định danh tài liệu; mã lưu trữ tài liệu; thời hạn lưu trữ;
  tên loại tài liệu; số của tài liệu; ký hiệu của tài liệu; ngày tháng năm ban hành;
  tên cơ quan, tổ chức, cá nhân ban hành; trích yếu nội dung; ngôn ngữ; số lượng
  trang; mức độ tiếp cận; tệp tài liệu hoặc đường liên kết đến tài liệu lưu trữ gốc;
  ghi chú. Every one of these is filled below (FileLink: the signed object's link).
* Circular 05/2025/TT-BNV (Bộ Nội vụ, 14 May 2025; details Law Art. 29(2), 34(3),
  36(7)): digital archival data = fonds data, archival-record data, archival-document
  data. Record (hồ sơ) data: mã hồ sơ; tiêu đề hồ sơ; thời hạn lưu trữ; mức độ tiếp
  cận; ngôn ngữ; thời gian bắt đầu; thời gian kết thúc; từ khóa; tổng số tài liệu
  trong hồ sơ; số lượng tờ (hồ sơ số hóa); số lượng trang; tình trạng vật lý (hồ sơ số
  hóa); ký hiệu thông tin; mức độ tin cậy; mã hồ sơ gốc giấy (hồ sơ số hóa); chế độ
  lập tài liệu lưu trữ dự phòng; tình trạng lập tài liệu lưu trữ dự phòng; tệp tin hồ
  sơ (as published by the Ministry of Home Affairs, moha.gov.vn, 14 May 2025).
* Decree 30/2020/NĐ-CP Appendix VI (thông tin đầu vào of a file and of a document):
  the property names kept here where a field coincides (FileCode, DocOrdinal,
  TypeName, CodeNumber, CodeNotation, IssuedDate, OrganName, Subject, Language,
  PageAmount, Description, InforSign, Keyword, Mode, ConfidenceLevel, Autograph,
  Format; per file Title, Maintenance, Rights, Creator, StartDate, EndDate, DocTotal,
  PageTotal). A field none of them names gets a name of ours (Identifier,
  ArchiveCode, SheetTotal, PaperFileCode, BackupMode, BackupStatus, DigitizedBy,
  ScannedAt).

Never a placeholder: a value this system does not know is left out, and the reason
is given under ``Unknown`` ({name: reason}).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

# -- vocabularies ---------------------------------------------------------------------

TYPE_NAMES = {"judgment": "Bản án", "decision": "Quyết định", "certificate": "Giấy chứng nhận"}
DECISION_TYPE_NAMES = {
    "execute_sentence": "Quyết định thi hành án",
    "postpone": "Quyết định hoãn chấp hành án",
    "suspend": "Quyết định tạm đình chỉ chấp hành án",
    "reduce": "Quyết định giảm thời hạn chấp hành án",
    "shorten_probation": "Quyết định rút ngắn thời gian thử thách",
    "exempt": "Quyết định miễn chấp hành án",
    "parole": "Quyết định tha tù trước thời hạn có điều kiện",
    "completion": "Giấy chứng nhận chấp hành xong án",
    "expunge": "Giấy chứng nhận xóa án tích",
}
PERMANENT = "Vĩnh viễn"  # judicial-record data is kept permanently (Decree 216/2026/NĐ-CP Art. 20(2), seed 002)
# criminal-judgment files carry personal data: access on conditions (Law 33/2024 Art. 25 names
# conditional access; Law 91/2025/QH15 on personal data protection)
CONDITIONAL_ACCESS = "Tiếp cận có điều kiện"
DIGITIZED = "Số hóa"  # reliability: a digitised copy of a paper original
BORN_DIGITAL = "Gốc điện tử"  # reliability: the electronic original itself
MIXED = "Hỗn hợp"
MAX_TEXT = 1000  # a value read from a page is cut here: metadata, not the page's text

# field name -> legal source (docstrings and README cite these)
TT05 = "Thông tư 05/2025/TT-BNV (dữ liệu của hồ sơ / tài liệu lưu trữ)"
ND30 = "Nghị định 30/2020/NĐ-CP Phụ lục VI"
DOCUMENT_SOURCES: dict[str, str] = {
    "Identifier": f"{TT05}: mã định danh tài liệu; {ND30}: mã định danh văn bản",
    "ArchiveCode": f"{TT05}: mã lưu trữ tài liệu (ours: FileCode.DocOrdinal)",
    "FileCode": f"{ND30}: mã hồ sơ (FileCode)",
    "DocOrdinal": f"{ND30}: số thứ tự văn bản trong hồ sơ (DocOrdinal)",
    "TypeName": f"{ND30}: tên loại văn bản (TypeName); {TT05}: tên loại",
    "CodeNumber": f"{ND30}: số của văn bản (CodeNumber)",
    "CodeNotation": f"{ND30}: ký hiệu của văn bản (CodeNotation)",
    "IssuedDate": f"{ND30}: ngày, tháng, năm văn bản (IssuedDate)",
    "OrganName": f"{ND30}: tên cơ quan, tổ chức ban hành (OrganName)",
    "Subject": f"{ND30}: trích yếu nội dung (Subject)",
    "Language": f"{ND30}: ngôn ngữ (Language); {TT05}",
    "PageAmount": f"{ND30}: số lượng trang (PageAmount)",
    "Description": f"{ND30}: ghi chú (Description)",
    "Keyword": f"{ND30}: từ khóa (Keyword)",
    "Mode": f"{ND30}: chế độ sử dụng (Mode); Luật Lưu trữ 2024: mức độ tiếp cận",
    "ConfidenceLevel": f"{ND30}: mức độ tin cậy (ConfidenceLevel); {TT05}",
    "Format": f"{ND30}: tình trạng vật lý (Format)",
    "SignerInfo": f"{ND30}: thông tin người ký -- here the signing certificate of the digitised copy",
    "Maintenance": f"{ND30}: thời hạn bảo quản (Maintenance); Luật Lưu trữ 2024: thời hạn lưu trữ",
    "DigitizedBy": "ours: the converting unit (batch.json unit; Law 20/2023/QH15 Art. 12 conversion marker)",
    "ScannedAt": "ours: when the paper was scanned (batch.json scanned_at)",
    "FileLink": "Nghị định 113/2025/NĐ-CP: tệp tài liệu hoặc đường liên kết đến tài liệu lưu trữ gốc "
                "(the signed object in the archive's store: s3://bucket/key?versionId=…)",
}
DOSSIER_SOURCES: dict[str, str] = {
    "FileCode": f"{TT05}: mã hồ sơ; {ND30}: mã hồ sơ (FileCode)",
    "Title": f"{TT05}: tiêu đề hồ sơ; {ND30} (Title)",
    "Maintenance": f"{TT05}: thời hạn lưu trữ; {ND30} (Maintenance)",
    "Rights": f"{TT05}: mức độ tiếp cận; {ND30}: chế độ sử dụng (Rights)",
    "Language": f"{TT05}: ngôn ngữ; {ND30} (Language)",
    "StartDate": f"{TT05}: thời gian bắt đầu; {ND30} (StartDate)",
    "EndDate": f"{TT05}: thời gian kết thúc; {ND30} (EndDate)",
    "Keyword": f"{TT05}: từ khóa; {ND30} (Keyword)",
    "DocTotal": f"{TT05}: tổng số tài liệu trong hồ sơ; {ND30} (DocTotal)",
    "SheetTotal": f"{TT05}: số lượng tờ (hồ sơ số hóa)",
    "PageTotal": f"{TT05}: số lượng trang; {ND30} (PageTotal)",
    "Format": f"{TT05}: tình trạng vật lý (hồ sơ số hóa); {ND30} (Format)",
    "ConfidenceLevel": f"{TT05}: mức độ tin cậy; {ND30} (ConfidenceLevel)",
    "PaperFileCode": f"{TT05}: mã hồ sơ gốc giấy (hồ sơ số hóa)",
    "BackupMode": f"{TT05}: chế độ lập tài liệu lưu trữ dự phòng",
    "BackupStatus": f"{TT05}: tình trạng lập tài liệu lưu trữ dự phòng",
    "Creator": f"{ND30}: cơ quan, tổ chức lập hồ sơ (Creator)",
    "Description": f"{ND30}: ghi chú (Description)",
}


def split_number(document_number: str | None) -> tuple[str | None, str | None]:
    """'125/2024/HS-ST' -> ('125', '2024/HS-ST'): CodeNumber and CodeNotation."""
    if not document_number:
        return None, None
    m = re.match(r"^(\d+)/(.+)$", document_number)
    return (m.group(1), m.group(2)) if m else (None, document_number)


def clip(value: Any) -> Any:
    """A text value read from a page, cut to MAX_TEXT characters (a metadata field, not the page)."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT - 1] + "…"
    return value


def clip_all(value: Any) -> Any:
    """clip() at any depth (a composed value -- a subject, keywords, SignerInfo -- is cut too)."""
    if isinstance(value, dict):
        return {k: clip_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clip_all(v) for v in value]
    return clip(value)


def type_name_of(doc_type: str | None, decision_kind: str | None) -> str | None:
    if decision_kind and decision_kind in DECISION_TYPE_NAMES:
        return DECISION_TYPE_NAMES[decision_kind]
    return TYPE_NAMES.get(doc_type or "")


# -- FileCode: the dossier's, or the judgment's ------------------------------------------

_SAFE = re.compile(r"[^0-9A-Za-zÀ-ỹ.\-]+")


def judgment_file_code(organ_code: str, judgment_number: str) -> str | None:
    """The FileCode a judgment and every document executing it share:
    '<organ>.<year>.<number>-<notation>' from the judgment's number ('125/2024/HS-ST' ->
    'DEMO.2024.125-HS-ST', Decree 30/2020 App. VI's organ.year.file form); no slash, so
    it goes in a URL path or a file name as it is."""
    text = " ".join(str(judgment_number).split()).upper()
    m = re.match(r"^(\d+)\s*/\s*((?:19|20)\d\d)\s*/\s*(.+)$", text)
    if m:
        number, year, notation = m.group(1), m.group(2), m.group(3)
        tail = _SAFE.sub("-", f"{number}-{notation}").strip("-")
        return clip(f"{organ_code}.{year}.{tail}")[:64] if tail else None
    tail = _SAFE.sub("-", text).strip("-")
    return f"{organ_code}.{tail}"[:64] if tail else None


def file_code_for(*, organ_code: str, doc_type: str | None, values: dict[str, Any],
                  dossier_code: str | None) -> tuple[str | None, str | None]:
    """(FileCode, None) or (None, why not). The dossier's code when the document has one;
    else the judgment's: a judgment's own number, a decision's or certificate's judgment_ref."""
    if dossier_code:
        return dossier_code, None
    if doc_type == "judgment":
        number, what = values.get("document_number"), "the judgment's own number"
    else:
        number, what = values.get("judgment_ref"), "the number of the judgment it executes (judgment_ref)"
    if not number:
        return None, f"no dossier declared or found, and {what} was not read"
    code = judgment_file_code(organ_code, str(number))
    return (code, None) if code else (None, f"{what} {number!r} gives no code")


# -- the two sets ------------------------------------------------------------------------

class _ArchivalSet:
    Unknown: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The set as stored and written to XMP: absent values left out, their reasons under Unknown."""
        out = {k: clip_all(v) for k, v in self.__dict__.items() if v is not None and k != "Unknown"}
        unknown = {k: why for k, why in self.Unknown.items() if out.get(k) is None}
        if unknown:
            out["Unknown"] = unknown
        return out


@dataclass
class DocumentArchival(_ArchivalSet):
    """An archival document's metadata (tài liệu lưu trữ). Names: DOCUMENT_SOURCES."""

    Identifier: str
    Language: str
    PageAmount: int
    Maintenance: str
    Mode: str
    ConfidenceLevel: str
    FileCode: str | None = None
    DocOrdinal: int | None = None
    ArchiveCode: str | None = None
    TypeName: str | None = None
    CodeNumber: str | None = None
    CodeNotation: str | None = None
    IssuedDate: str | None = None
    OrganName: str | None = None
    Subject: str | None = None
    Description: str | None = None
    Keyword: str | None = None
    Format: str | None = None
    SignerInfo: dict[str, Any] | None = None
    DigitizedBy: str | None = None
    ScannedAt: str | None = None
    FileLink: str | None = None  # set when the signed object is stored (catalogue time)
    Unknown: dict[str, str] = field(default_factory=dict)


@dataclass
class DossierArchival(_ArchivalSet):
    """An archival record's metadata (hồ sơ lưu trữ). Names: DOSSIER_SOURCES."""

    FileCode: str
    Maintenance: str
    Rights: str
    Language: str
    DocTotal: int
    PageTotal: int
    Title: str | None = None
    StartDate: str | None = None
    EndDate: str | None = None
    Keyword: str | None = None
    SheetTotal: int | None = None
    Format: str | None = None
    ConfidenceLevel: str | None = None
    PaperFileCode: str | None = None
    BackupMode: str | None = None
    BackupStatus: str | None = None
    Creator: str | None = None
    Description: str | None = None
    Unknown: dict[str, str] = field(default_factory=dict)


def _keywords(*parts: Any) -> str | None:
    seen: list[str] = []
    for p in parts:
        for item in (p if isinstance(p, (list, tuple)) else [p]):
            text = clip(" ".join(str(item).split())) if item else ""
            if text and text not in seen:
                seen.append(text)
    return "; ".join(seen) or None


def document_archival(
    *, document_id: str, organ_code: str, doc_type: str | None, values: dict[str, Any], page_count: int,
    born_digital: bool, dossier_code: str | None = None, ordinal: int | None = None,
    signer_info: dict[str, Any] | None = None, unit: str | None = None, scanned_at: str | None = None,
    ocr_confidence: float | None = None, language: str = "vi",
) -> DocumentArchival:
    """The document's set from what was read (values), the batch and the signature.

    ordinal: the document's place in its dossier (Document.dossier_ordinal, or its rank
    by issue date among the documents sharing the FileCode: archival_catalogue.ordinal_in_file)."""
    values = {k: clip(v) for k, v in values.items()}
    unknown: dict[str, str] = {}
    number, notation = split_number(values.get("document_number"))
    kind = values.get("decision_kind")
    type_name = type_name_of(doc_type, kind)
    file_code, why = file_code_for(organ_code=organ_code, doc_type=doc_type, values=values,
                                   dossier_code=dossier_code)
    if why:
        unknown["FileCode"] = why
    issued = values.get("issue_date")
    person = values.get("person_name")
    subject = None
    if type_name:
        subject = " ".join(x for x in (type_name, f"số {values['document_number']}"
                                       if values.get("document_number") else "") if x)
        if person:
            subject += f" đối với {person}"
        if values.get("judgment_ref") and doc_type != "judgment":
            subject += f" (thi hành Bản án số {values['judgment_ref']})"
    else:
        unknown["Subject"] = unknown["TypeName"] = "the document's kind was not recognised"
    if not values.get("document_number"):
        unknown["CodeNumber"] = unknown["CodeNotation"] = "the document's number was not read"
    elif number is None:
        unknown["CodeNumber"] = f"the number {values['document_number']!r} has no leading serial number"
    if not issued:
        unknown["IssuedDate"] = "the issue date was not read"
    if not values.get("issuer"):
        unknown["OrganName"] = "the issuing body was not read"
    if signer_info is None:
        unknown["SignerInfo"] = "no signing certificate at hand"
    if ordinal is None and file_code:
        unknown["DocOrdinal"] = "its place in the dossier is not known yet"
    fmt = None
    if born_digital:
        unknown["Format"] = "an electronic original: no paper was scanned"
    elif ocr_confidence is not None:
        fmt = f"Bản giấy số hóa {page_count} trang; độ tin cậy nhận dạng chữ trung bình {ocr_confidence:.0%}"
    else:
        unknown["Format"] = "no recognition confidence recorded for its pages"
    if not unit:
        unknown["DigitizedBy"] = "batch.json names no unit"
    if not scanned_at:
        unknown["ScannedAt"] = "batch.json gives no scan time"
    return DocumentArchival(
        Identifier=document_id, Language=language, PageAmount=page_count, Maintenance=PERMANENT,
        Mode=CONDITIONAL_ACCESS, ConfidenceLevel=BORN_DIGITAL if born_digital else DIGITIZED,
        FileCode=file_code, DocOrdinal=ordinal if file_code else None,
        ArchiveCode=f"{file_code}.{ordinal:03d}" if file_code and ordinal else None,
        TypeName=type_name, CodeNumber=number, CodeNotation=notation if values.get("document_number") else None,
        IssuedDate=issued, OrganName=values.get("issuer"), Subject=subject,
        Description=("Bản số hóa từ bản giấy" if not born_digital else "Bản điện tử gốc") + " (sohoa)",
        Keyword=_keywords(type_name, values.get("document_number"), values.get("judgment_ref"),
                          values.get("issuer"), values.get("charges")),
        Format=fmt, SignerInfo=signer_info, DigitizedBy=unit, ScannedAt=scanned_at, Unknown=unknown,
    )


def dossier_archival(
    *, code: str, members: Iterable[dict[str, Any]], title: str | None = None, declared: bool = False,
    creator: str | None = None, backup_mode: str | None = None, backup_status: str | None = None,
) -> DossierArchival:
    """The dossier's set from its documents' sets (members: DocumentArchival.to_dict()s).

    title: Dossier.title (batch.json); else one is made from its judgment (or first document).
    declared: the code was named in batch.json, so it is the paper file's own code."""
    docs = sorted(members, key=lambda d: (d.get("DocOrdinal") or 0, d.get("IssuedDate") or "", d.get("Identifier")))
    unknown: dict[str, str] = {}
    dates = sorted(d["IssuedDate"] for d in docs if d.get("IssuedDate"))
    if not dates:
        unknown["StartDate"] = unknown["EndDate"] = "no document's issue date was read"
    if not title:
        head = next((d for d in docs if d.get("TypeName") == TYPE_NAMES["judgment"]), docs[0] if docs else None)
        if head and head.get("Subject"):
            title = clip(f"Hồ sơ thi hành án hình sự: {head['Subject']}")
        else:
            unknown["Title"] = "no title declared and no document's subject read"
    levels = {d.get("ConfidenceLevel") for d in docs} - {None}
    formats = [d["Format"] for d in docs if d.get("Format")]
    scanned = [d for d in docs if d.get("ConfidenceLevel") == DIGITIZED]
    if not scanned:
        unknown["Format"] = "no paper was scanned for this dossier"
    if not declared:
        unknown["PaperFileCode"] = "the paper file's code was not declared in batch.json"
    unknown["SheetTotal"] = ("a page image may be either side of a sheet: the sheet count needs the paper "
                             "(declare it in batch.json)")
    if backup_mode is None:
        unknown["BackupMode"] = "no backup target configured (settings.backup_target)"
    if backup_status is None:
        unknown["BackupStatus"] = "no backup run recorded in the audit log"
    if not creator:
        unknown["Creator"] = "batch.json names no unit"
    return DossierArchival(
        FileCode=code, Maintenance=PERMANENT, Rights=CONDITIONAL_ACCESS,
        Language="; ".join(sorted({str(d.get("Language")) for d in docs if d.get("Language")})) or "vi",
        DocTotal=len(docs), PageTotal=sum(int(d.get("PageAmount") or 0) for d in docs),
        Title=title, StartDate=dates[0] if dates else None, EndDate=dates[-1] if dates else None,
        Keyword=_keywords(*[(d.get("Keyword") or "").split("; ") for d in docs]),
        Format=(f"{len(scanned)}/{len(docs)} tài liệu số hóa từ bản giấy; " + " | ".join(formats))[:MAX_TEXT]
        if scanned else None,
        ConfidenceLevel=(levels.pop() if len(levels) == 1 else MIXED) if levels else None,
        PaperFileCode=code if declared else None, BackupMode=backup_mode, BackupStatus=backup_status,
        Creator=creator, Description="Hồ sơ số hóa (sohoa)", Unknown=unknown,
    )


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
