"""XMP metadata: the conversion marker and Decree 30/2020 App. VI archival data.

Two documented namespaces (also declared in the packet as a PDF/A extension
schema, so a PDF/A validator knows them):

* ``https://sohoa.example/ns/conversion/1.0/`` (prefix ``sohoa``): the
  conversion marker -- MarkerVersion, CopyForm, DocumentId, ConvertingUnit,
  Operator, ConvertedAt, BatchId, Scanner, SourceMedium, Software, Sources
  (rdf:Seq of ``"<sha256>  <relpath>"``, the ``sha256sum`` line format) and
  Fields (the extracted fields as JSON text).
* ``https://sohoa.example/ns/nd30-2020/appendix-vi/1.0/`` (prefix ``nd30``):
  the archival metadata of Decree 30/2020/NĐ-CP Appendix VI, property names as
  in the decree (FileCode, DocOrdinal, TypeName, CodeNumber, CodeNotation,
  IssuedDate, OrganName, Subject, Language, PageAmount, Description,
  SignerInfo, Priority; per file: Title, Maintenance, Rights, Creator,
  StartDate, EndDate, DocTotal, PageTotal). Scalars as text, structured
  values (e.g. SignerInfo) as JSON text.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pikepdf
from lxml import etree
from pikepdf.models.metadata import PdfMetadata

from .marker import ConversionMarker, to_json, vn_iso

NS_SOHOA = "https://sohoa.example/ns/conversion/1.0/"
NS_ND30 = "https://sohoa.example/ns/nd30-2020/appendix-vi/1.0/"
PREFIX_SOHOA = "sohoa"
PREFIX_ND30 = "nd30"

PdfMetadata.register_xml_namespace(NS_SOHOA, PREFIX_SOHOA)
PdfMetadata.register_xml_namespace(NS_ND30, PREFIX_ND30)

# marker dict key -> (XMP property, description for the extension schema)
MARKER_PROPERTIES: dict[str, tuple[str, str]] = {
    "marker_version": ("MarkerVersion", "Version of this marker schema"),
    "copy_form": ("CopyForm", "Copy form shown on page 1 (SAO Y)"),
    "document_id": ("DocumentId", "sohoa document identifier"),
    "unit": ("ConvertingUnit", "Organisation that converted the paper original"),
    "operator": ("Operator", "Person who performed the conversion"),
    "converted_at": ("ConvertedAt", "Conversion time, ISO 8601 Vietnam time (+07:00)"),
    "batch_id": ("BatchId", "Scan batch identifier"),
    "scanner": ("Scanner", "Scanning station or device"),
    "source_medium": ("SourceMedium", "Medium of the original (paper original)"),
    "software": ("Software", "Converting software and version"),
    "sources": ("Sources", "Source scan files: ordered list of 'sha256  relpath'"),
}
FIELDS_PROPERTY = ("Fields", "Extracted fields, JSON text")

ARCHIVAL_DOC = ("FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation",
                "IssuedDate", "OrganName", "Subject", "Language", "PageAmount",
                "Description", "SignerInfo", "Priority")
ARCHIVAL_FILE = ("Title", "Maintenance", "Rights", "Creator", "StartDate", "EndDate",
                 "DocTotal", "PageTotal")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _archival_text(value: Any) -> str:
    if isinstance(value, datetime):
        return vn_iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return to_json(value)


def write_xmp(pdf: pikepdf.Pdf, marker: ConversionMarker, fields: dict[str, object],
              archival: dict[str, object], producer: str) -> None:
    """Write the marker, fields and archival metadata into pdf's XMP (and DocInfo)."""
    bad = [k for k in archival if not _NCNAME.match(str(k))]
    if bad:
        raise ValueError(f"archival metadata names are not XML names: {bad}")
    archival = dict(archival)
    archival.setdefault("PageAmount", len(pdf.pages))
    archival.setdefault("Language", "vi")
    m = marker.to_dict()
    when = marker.converted_at_iso
    title = _title(marker, archival)
    statement = (f"{marker.copy_form}: chuyển đổi từ bản giấy sang bản điện tử bởi {marker.unit}"
                 f" lúc {when}; người thực hiện: {marker.operator}; lô: {marker.batch_id}"
                 f" — converted from {marker.source_medium}.")
    _drop_unreadable_xmp(pdf)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = title
        meta["dc:description"] = statement
        meta["dc:identifier"] = marker.document_id
        meta["dc:language"] = [str(archival["Language"])]
        meta["dc:source"] = marker.source_medium
        if archival.get("OrganName"):
            meta["dc:creator"] = [str(archival["OrganName"])]
        meta["pdf:Producer"] = producer
        meta["xmp:CreatorTool"] = marker.software
        meta["xmp:CreateDate"] = when
        meta["xmp:ModifyDate"] = when
        meta["xmp:MetadataDate"] = when
        for key, (prop, _) in MARKER_PROPERTIES.items():
            value = m[key]
            if key == "sources":
                value = [f"{s['sha256']}  {s['path']}" for s in value]
                if not value:
                    continue
            elif value is None:
                continue
            meta[f"{PREFIX_SOHOA}:{prop}"] = value
        meta[f"{PREFIX_SOHOA}:{FIELDS_PROPERTY[0]}"] = to_json(fields)
        for key, value in archival.items():
            if value is None:
                continue
            meta[f"{PREFIX_ND30}:{key}"] = _archival_text(value)
    _add_extension_schemas(pdf, sorted(archival))


def _title(marker: ConversionMarker, archival: dict[str, object]) -> str:
    kind = str(archival.get("TypeName") or "").strip()
    num = "/".join(str(archival[k]) for k in ("CodeNumber", "CodeNotation") if archival.get(k))
    base = " ".join(x for x in (kind, f"số {num}" if num else "") if x) or marker.document_id
    return f"{base} ({marker.copy_form})"


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_EXT = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def _add_extension_schemas(pdf: pikepdf.Pdf, archival_keys: list[str]) -> None:
    """Describe both private namespaces as a PDF/A extension schema (ISO 19005-1 6.7.8)."""
    raw = pdf.Root.Metadata.read_bytes()
    root = etree.fromstring(raw, parser=etree.XMLParser(remove_blank_text=False))
    rdf = root.find(f"{{{_RDF}}}RDF")
    if rdf is None or rdf.find(f".//{{{_EXT['pdfaExtension']}}}schemas") is not None:
        return
    nsmap = {"rdf": _RDF, **_EXT}
    desc = etree.SubElement(rdf, f"{{{_RDF}}}Description", nsmap=nsmap)
    desc.set(f"{{{_RDF}}}about", "")
    bag = etree.SubElement(etree.SubElement(desc, f"{{{_EXT['pdfaExtension']}}}schemas"),
                           f"{{{_RDF}}}Bag")

    def schema(name: str, uri: str, prefix: str, props: list[tuple[str, str, str]]) -> None:
        li = etree.SubElement(bag, f"{{{_RDF}}}li")
        li.set(f"{{{_RDF}}}parseType", "Resource")
        etree.SubElement(li, f"{{{_EXT['pdfaSchema']}}}schema").text = name
        etree.SubElement(li, f"{{{_EXT['pdfaSchema']}}}namespaceURI").text = uri
        etree.SubElement(li, f"{{{_EXT['pdfaSchema']}}}prefix").text = prefix
        seq = etree.SubElement(etree.SubElement(li, f"{{{_EXT['pdfaSchema']}}}property"),
                               f"{{{_RDF}}}Seq")
        for pname, vtype, text in props:
            p = etree.SubElement(seq, f"{{{_RDF}}}li")
            p.set(f"{{{_RDF}}}parseType", "Resource")
            etree.SubElement(p, f"{{{_EXT['pdfaProperty']}}}name").text = pname
            etree.SubElement(p, f"{{{_EXT['pdfaProperty']}}}valueType").text = vtype
            etree.SubElement(p, f"{{{_EXT['pdfaProperty']}}}category").text = "external"
            etree.SubElement(p, f"{{{_EXT['pdfaProperty']}}}description").text = text

    conv = [(prop, "seq Text" if key == "sources" else "Text", text)
            for key, (prop, text) in MARKER_PROPERTIES.items()]
    conv.append((FIELDS_PROPERTY[0], "Text", FIELDS_PROPERTY[1]))
    schema("sohoa conversion marker (Law 20/2023/QH15 Art. 12)", NS_SOHOA, PREFIX_SOHOA, conv)
    schema("Decree 30/2020/ND-CP Appendix VI archival metadata", NS_ND30, PREFIX_ND30,
           [(k, "Text", f"Appendix VI: {k}") for k in archival_keys])
    body = etree.tostring(root, encoding="utf-8")
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
              + b"\n" + (b" " * 99 + b"\n") * 20 + b'<?xpacket end="w"?>')
    pdf.Root.Metadata.write(packet)


def _drop_unreadable_xmp(pdf: pikepdf.Pdf) -> None:
    """An input's XMP that does not parse (broken, or hostile: entities) is not kept:
    the converted document's metadata is ours, written fresh."""
    if "/Metadata" not in pdf.Root:
        return
    import io

    from pikepdf._xml import parse_xml  # the parser open_metadata uses

    try:
        parse_xml(io.BytesIO(pdf.Root.Metadata.read_bytes()))
    except Exception:  # lxml raises XMLSyntaxError and others on hostile packets
        del pdf.Root.Metadata


def read_xmp(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """Read back {"marker": {...}, "fields": {...}, "archival": {...}, "pdfa": ...}."""
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    marker: dict[str, Any] = {}
    for key, (prop, _) in MARKER_PROPERTIES.items():
        qname = f"{{{NS_SOHOA}}}{prop}"
        if qname not in meta:
            continue
        value = meta[qname]
        if key == "sources":
            items = value if isinstance(value, list) else [value]
            marker[key] = [{"path": s.split("  ", 1)[1] if "  " in s else "",
                            "sha256": s.split("  ", 1)[0]} for s in items]
        else:
            marker[key] = value
    fields: dict[str, Any] = {}
    fq = f"{{{NS_SOHOA}}}{FIELDS_PROPERTY[0]}"
    if fq in meta:
        try:
            fields = json.loads(meta[fq])
        except ValueError:
            fields = {"_unparsable": meta[fq]}
    archival: dict[str, Any] = {}
    for key in meta:
        if key.startswith(f"{{{NS_ND30}}}"):
            archival[key.split("}", 1)[1]] = meta[key]
    pdfa = None
    if "pdfaid:part" in meta:
        pdfa = f"{meta['pdfaid:part']}{str(meta.get('pdfaid:conformance', '')).lower()}"
    return {"marker": marker, "fields": fields, "archival": archival, "pdfa": pdfa}
