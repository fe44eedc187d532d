"""One METS document per dossier (lxml): the archival metadata as descriptive metadata
(dmdSec: the dossier's, then each document's), each document's PREMIS history as its
digiprovMD, the files in a fileSec pointing into data/objects/, and a structMap
dossier -> documents -> pages. Every time in it is the catalogue's; metsHdr's CREATEDATE is the
newest of them (handover/bag.py), so the same catalogue writes the same METS."""
from __future__ import annotations

import json
from typing import Any

from lxml import etree

from .events import Event, FileObject
from .premis import premis_container
from .selection import DocEntry, Group

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ARC_NS = "urn:sohoa:archival-metadata:1"  # Decree 30/2020 App. VI / Decree 113/2025 field names
M = f"{{{METS_NS}}}"
SCHEMA_LOCATION = (f"{METS_NS} ../schemas/mets.xsd "
                   "http://www.loc.gov/premis/v3 ../schemas/premis-v3-0.xsd")


def file_id(f: FileObject) -> str:
    return f"F-{f.id}"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _dmd(parent: etree._Element, dmd_id: str, label: str, values: dict[str, Any]) -> None:
    sec = etree.SubElement(parent, M + "dmdSec", ID=dmd_id)
    wrap = etree.SubElement(sec, M + "mdWrap", MDTYPE="OTHER", OTHERMDTYPE="VN-ARCHIVAL-METADATA", LABEL=label)
    data = etree.SubElement(wrap, M + "xmlData")
    rec = etree.SubElement(data, f"{{{ARC_NS}}}record", nsmap={"arc": ARC_NS})
    for name in sorted(values):
        if values[name] is None:
            continue
        el = etree.SubElement(rec, f"{{{ARC_NS}}}field", name=str(name))
        el.text = _text(values[name])


def _page_labels(d: DocEntry) -> list[str]:
    if d.page_first is not None:
        return [str(d.page_first + i) for i in range(d.page_count)]
    return [str(i + 1) for i in range(d.page_count)]


def build_mets(group: Group, dossier_meta: dict[str, Any], files: dict[str, list[FileObject]],
               events: dict[str, list[Event]], created: str, unit: str | None, software: str) -> bytes:
    """The METS document of one group. files/events: per document id. File hrefs are relative to
    data/mets/."""
    root = etree.Element(M + "mets", nsmap={"mets": METS_NS, "xlink": XLINK_NS, "xsi": XSI_NS},
                         OBJID=group.code, LABEL=group.title, TYPE="hồ sơ")
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    hdr = etree.SubElement(root, M + "metsHdr", CREATEDATE=created, RECORDSTATUS="complete")
    if unit:
        ag = etree.SubElement(hdr, M + "agent", ROLE="CREATOR", TYPE="ORGANIZATION")
        etree.SubElement(ag, M + "name").text = unit
    ag = etree.SubElement(hdr, M + "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(ag, M + "name").text = software
    _dmd(root, "DMD-DOSSIER", "hồ sơ", dossier_meta)
    for d in group.documents:
        _dmd(root, f"DMD-{d.document_id}", "tài liệu", {**d.archival, "DocOrdinal": d.ordinal,
                                                        "DocumentId": d.document_id})
    for d in group.documents:
        amd = etree.SubElement(root, M + "amdSec", ID=f"AMD-{d.document_id}")
        prov = etree.SubElement(amd, M + "digiprovMD", ID=f"PREMIS-{d.document_id}")
        wrap = etree.SubElement(prov, M + "mdWrap", MDTYPE="PREMIS", LABEL="PREMIS 3.0")
        etree.SubElement(wrap, M + "xmlData").append(premis_container(files[d.document_id],
                                                                      events[d.document_id]))
    sec = etree.SubElement(root, M + "fileSec")
    roles = sorted({f.role for d in group.documents for f in files[d.document_id]},
                   key=lambda r: (r != "signed", r))
    for role in roles:
        grp = etree.SubElement(sec, M + "fileGrp", USE=role)
        for d in group.documents:
            for f in files[d.document_id]:
                if f.role != role:
                    continue
                el = etree.SubElement(grp, M + "file", ID=file_id(f), MIMETYPE=f.mime, SIZE=str(f.size),
                                      CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256", ADMID=f"PREMIS-{d.document_id}")
                loc = etree.SubElement(el, M + "FLocat", LOCTYPE="URL")
                loc.set(f"{{{XLINK_NS}}}type", "simple")
                loc.set(f"{{{XLINK_NS}}}href", f"../{f.relpath}")
    smap = etree.SubElement(root, M + "structMap", TYPE="logical", LABEL="hồ sơ → tài liệu → trang")
    top = etree.SubElement(smap, M + "div", TYPE="dossier", LABEL=group.title, DMDID="DMD-DOSSIER")
    for d in group.documents:
        doc_files = files[d.document_id]
        div = etree.SubElement(top, M + "div", TYPE=d.doc_type or "document", ORDER=str(d.ordinal),
                               LABEL=str(d.archival.get("Subject") or d.document_id),
                               DMDID=f"DMD-{d.document_id}", ADMID=f"AMD-{d.document_id}")
        for f in doc_files:
            etree.SubElement(div, M + "fptr", FILEID=file_id(f))
        signed = next((f for f in doc_files if f.role == "signed"), None)
        for i, label in enumerate(_page_labels(d), 1):
            page = etree.SubElement(div, M + "div", TYPE="page", ORDER=str(i), ORDERLABEL=label,
                                    LABEL=f"Trang {i}")
            if signed is not None:  # page ORDER of the signed PDF; ORDERLABEL: the page of the scan
                etree.SubElement(page, M + "fptr", FILEID=file_id(signed))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
