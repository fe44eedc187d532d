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
* ``https://sohoa.example/ns/luu-tru-2024/1.0/`` (prefix ``ltr``): the archival
  document fields of the Law on Archives 2024 set that Appendix VI does not name
  (Identifier, ArchiveCode, DigitizedBy, ScannedAt, Unknown: archive/archival.py).
  Which namespace a key goes to is decided by name (ND30_NAMES); both are read back
  as one ``archival`` dict and both are covered by the signed-revision checks.
"""
from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from typing import Any

import pikepdf
from lxml import etree
from pikepdf import Name
from pikepdf.models.metadata import PdfMetadata

from .marker import ConversionMarker, to_json, vn_iso

NS_SOHOA = "https://sohoa.example/ns/conversion/1.0/"
NS_ND30 = "https://sohoa.example/ns/nd30-2020/appendix-vi/1.0/"
NS_LTR = "https://sohoa.example/ns/luu-tru-2024/1.0/"
PREFIX_SOHOA = "sohoa"
PREFIX_ND30 = "nd30"
PREFIX_LTR = "ltr"

PdfMetadata.register_xml_namespace(NS_SOHOA, PREFIX_SOHOA)
PdfMetadata.register_xml_namespace(NS_ND30, PREFIX_ND30)
PdfMetadata.register_xml_namespace(NS_LTR, PREFIX_LTR)

# marker dict key -> (XMP property, description for the extension schema)
MARKER_PROPERTIES: dict[str, tuple[str, str]] = {
    "marker_version": ("MarkerVersion", "Version of this marker schema"),
    "copy_form": ("CopyForm", "Copy form shown on page 1 (SAO Y; BẢN SAO VĂN BẢN ĐIỆN TỬ "
                              "for a born-digital original)"),
    "document_id": ("DocumentId", "sohoa document identifier"),
    "unit": ("ConvertingUnit", "Organisation that converted the paper original"),
    "operator": ("Operator", "Person who performed the conversion"),
    "converted_at": ("ConvertedAt", "Conversion time, ISO 8601 Vietnam time (+07:00)"),
    "batch_id": ("BatchId", "Scan batch identifier"),
    "scanner": ("Scanner", "Scanning station or device"),
    "source_medium": ("SourceMedium", "Medium of the original (paper original, or "
                                      "electronic original (born digital))"),
    "software": ("Software", "Converting software and version"),
    "sources": ("Sources", "Source scan files: ordered list of 'sha256  relpath'"),
}
FIELDS_PROPERTY = ("Fields", "Extracted fields, JSON text")

ARCHIVAL_DOC = ("FileCode", "DocOrdinal", "TypeName", "CodeNumber", "CodeNotation",
                "IssuedDate", "OrganName", "Subject", "Language", "PageAmount",
                "Description", "SignerInfo", "Priority")
ARCHIVAL_FILE = ("Title", "Maintenance", "Rights", "Creator", "StartDate", "EndDate",
                 "DocTotal", "PageTotal")
# Appendix VI's names (document and file); any other archival key is ours (ltr:)
ND30_NAMES = frozenset(ARCHIVAL_DOC + ARCHIVAL_FILE + ("InforSign", "Keyword", "Mode", "ConfidenceLevel",
                                                       "Autograph", "Format"))
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
    """Write the marker, fields and archival metadata into pdf's XMP (and DocInfo).

    The packet is built with lxml directly (pikepdf's metadata API costs ~5 ms a
    document). What the input's XMP says besides the properties written here --
    its PDF/A claim (pdfaid), xmpMM ids, keywords... -- is kept as it was.
    """
    bad = [k for k in archival if not _NCNAME.match(str(k))]
    if bad:
        raise ValueError(f"archival metadata names are not XML names: {bad}")
    archival = dict(archival)
    archival.setdefault("PageAmount", len(pdf.pages))
    archival.setdefault("Language", "vi")
    props = _properties(marker, fields, archival, producer)
    root = _existing_xmp(pdf)
    rdf = root.find(f"{{{_RDF}}}RDF")
    _remove_properties(rdf, {name for name, _, _ in props})
    _append_description(rdf, props)
    _normalize_descriptions(rdf)
    _add_extension_schemas(rdf, sorted(archival))
    packet = _XPACKET_BEGIN + etree.tostring(root, encoding="utf-8") + _XPACKET_END
    pdf.Root.Metadata = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
    _sync_docinfo(pdf, rdf)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ABOUT = f"{{{_RDF}}}about"
# prefixes declared on the Description this module writes
_NS = {"dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/",
       "xmp": "http://ns.adobe.com/xap/1.0/", PREFIX_SOHOA: NS_SOHOA, PREFIX_ND30: NS_ND30,
       PREFIX_LTR: NS_LTR}
_EMPTY_XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="pikepdf">\n'
              b' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n </rdf:RDF>\n'
              b'</x:xmpmeta>')
_XPACKET_BEGIN = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
# padding: the packet can be edited in place later (XMP spec part 3, 1.1.2)
_XPACKET_END = b"\n" + (b" " * 99 + b"\n") * 20 + b'<?xpacket end="w"?>'
# characters XML 1.0 cannot carry are dropped, as pikepdf did
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# one property: (Clark name, form, value); form "text", "alt" (x-default), "bag" or "seq"
_Prop = tuple[str, str, Any]


def _q(prefixed: str) -> str:
    prefix, local = prefixed.split(":", 1)
    return f"{{{_NS[prefix]}}}{local}"


def _properties(marker: ConversionMarker, fields: dict[str, object],
                archival: dict[str, object], producer: str) -> list[_Prop]:
    """Every property written, in packet order."""
    when = marker.converted_at_iso
    statement = marker.statement()
    props: list[_Prop] = [
        (_q("dc:title"), "alt", _title(marker, archival)),
        (_q("dc:description"), "alt", statement),
        (_q("dc:identifier"), "text", marker.document_id),
        (_q("dc:language"), "bag", [str(archival["Language"])]),
        (_q("dc:source"), "text", marker.source_medium),
    ]
    if archival.get("OrganName"):
        props.append((_q("dc:creator"), "seq", [str(archival["OrganName"])]))
    props += [(_q("pdf:Producer"), "text", producer), (_q("xmp:CreatorTool"), "text", marker.software)]
    props += [(_q(f"xmp:{k}"), "text", when) for k in ("CreateDate", "ModifyDate", "MetadataDate")]
    m = marker.to_dict()
    for key, (prop, _) in MARKER_PROPERTIES.items():
        value = m[key]
        if key == "sources":
            if value:
                props.append((f"{{{NS_SOHOA}}}{prop}", "seq",
                              [f"{s['sha256']}  {s['path']}" for s in value]))
        elif value is not None:
            props.append((f"{{{NS_SOHOA}}}{prop}", "text", str(value)))
    props.append((f"{{{NS_SOHOA}}}{FIELDS_PROPERTY[0]}", "text", to_json(fields)))
    props += [(f"{{{_archival_ns(k)}}}{k}", "text", _archival_text(v)) for k, v in archival.items()
              if v is not None]
    return props


def _archival_ns(key: str) -> str:
    return NS_ND30 if key in ND30_NAMES else NS_LTR


def _existing_xmp(pdf: pikepdf.Pdf) -> Any:
    """The input's x:xmpmeta element, or an empty one.

    An input XMP that does not parse (broken, or hostile: entities) or is not
    XMP is not kept: the converted document's metadata is ours, written fresh."""
    from pikepdf._xml import parse_xml  # lxml without entity resolution or network

    fresh = etree.fromstring(_EMPTY_XMP)
    if "/Metadata" not in pdf.Root:
        return fresh
    try:
        root = parse_xml(io.BytesIO(pdf.Root.Metadata.read_bytes())).getroot()
    except Exception:  # lxml raises XMLSyntaxError and others on hostile packets
        return fresh
    if root.tag == f"{{{_RDF}}}RDF":  # a bare rdf:RDF: give it the x:xmpmeta wrapper
        fresh.replace(fresh[0], root)
        return fresh
    rdf = root.find(f".//{{{_RDF}}}RDF")
    if rdf is None:
        return fresh
    if rdf.getparent() is not root:  # rdf:RDF deeper down: keep just it
        fresh.replace(fresh[0], rdf)
        return fresh
    return root


def _remove_properties(rdf: Any, names: set[str]) -> None:
    """Drop the input's values of the properties written here (element or attribute form)."""
    for desc in rdf.findall(f"{{{_RDF}}}Description"):
        for name in names & set(desc.attrib.keys()):
            del desc.attrib[name]
        for child in list(desc):
            if child.tag in names:
                desc.remove(child)


def _append_description(rdf: Any, props: list[_Prop]) -> None:
    desc = etree.SubElement(rdf, f"{{{_RDF}}}Description", {_ABOUT: ""}, nsmap=_NS)
    for name, form, value in props:
        el = etree.SubElement(desc, name)
        if form == "text":
            el.text = _clean(value)
            continue
        container = etree.SubElement(el, f"{{{_RDF}}}{form.capitalize()}")
        for item in value if form != "alt" else [value]:
            li = etree.SubElement(container, f"{{{_RDF}}}li")
            if form == "alt":
                li.set(_XML_LANG, "x-default")
            li.text = _clean(item) or None


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _normalize_descriptions(rdf: Any) -> None:
    """XMP: top-level Descriptions share one rdf:about; ones left empty are removed."""
    descs = rdf.findall(f"{{{_RDF}}}Description")
    abouts = {d.get(_ABOUT) or "" for d in descs} - {""}
    about = abouts.pop() if len(abouts) == 1 else ""
    for d in descs:
        if len(d) == 0 and all(str(k).startswith(f"{{{_RDF}}}") for k in d.keys()):
            rdf.remove(d)
        else:
            d.set(_ABOUT, about)


def _title(marker: ConversionMarker, archival: dict[str, object]) -> str:
    kind = str(archival.get("TypeName") or "").strip()
    num = "/".join(str(archival[k]) for k in ("CodeNumber", "CodeNotation") if archival.get(k))
    base = " ".join(x for x in (kind, f"số {num}" if num else "") if x) or marker.document_id
    return f"{base} ({marker.copy_form})"


_EXT = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def _add_extension_schemas(rdf: Any, archival_keys: list[str]) -> None:
    """Describe both private namespaces as a PDF/A extension schema (ISO 19005-1 6.7.8)."""
    if rdf.find(f".//{{{_EXT['pdfaExtension']}}}schemas") is not None:
        return
    nsmap = {"rdf": _RDF, **_EXT}
    desc = etree.SubElement(rdf, f"{{{_RDF}}}Description", nsmap=nsmap)
    desc.set(_ABOUT, rdf.find(f"{{{_RDF}}}Description").get(_ABOUT, ""))
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
           [(k, "Text", f"Appendix VI: {k}") for k in archival_keys if k in ND30_NAMES])
    ours = [k for k in archival_keys if k not in ND30_NAMES]
    if ours:
        schema("Law on Archives 33/2024/QH15 archival document metadata (sohoa)", NS_LTR, PREFIX_LTR,
               [(k, "Text", f"Archival document: {k}") for k in ours])


# XMP property -> /Info key kept in agreement (pikepdf's DOCINFO_MAPPING, PDF/A-1 6.7.3)
_DOCINFO = (("dc:creator", "/Author"), ("dc:description", "/Subject"), ("dc:title", "/Title"),
            ("pdf:Keywords", "/Keywords"), ("pdf:Producer", "/Producer"),
            ("xmp:CreateDate", "/CreationDate"), ("xmp:CreatorTool", "/Creator"),
            ("xmp:ModifyDate", "/ModDate"))


def _sync_docinfo(pdf: pikepdf.Pdf, rdf: Any) -> None:
    """/Info entries from the final XMP; an entry whose property is absent is removed."""
    info = pdf.docinfo
    for prop, key in _DOCINFO:
        value = _xmp_value(rdf, _q(prop))
        if isinstance(value, list):
            value = "; ".join(v for v in value if v is not None)  # several authors
        if value and key in ("/CreationDate", "/ModDate"):
            value = _pdf_date(value)
        if value is None:
            if key in info:
                del info[key]
            continue
        value = _clean(value)
        try:  # ASCII as is, anything else as UTF-16 (what pikepdf did)
            info[key] = value.encode("ascii")
        except UnicodeEncodeError:
            info[key] = value


def _xmp_value(rdf: Any, name: str) -> str | list[str | None] | None:
    """A property's value, read the way pikepdf reads it (first occurrence; x-default
    of a language alternative; items of a Seq/Bag); None when absent."""
    for desc in rdf.findall(f"{{{_RDF}}}Description"):
        if name in desc.attrib:
            return desc.get(name)
        node = desc.find(name)
        if node is None:
            continue
        if node.text and node.text.strip():
            return node.text
        alt = node.find(f"{{{_RDF}}}Alt")
        if alt is not None:
            items = alt.findall(f"{{{_RDF}}}li")
            default = next((li for li in items if li.get(_XML_LANG) == "x-default"),
                           items[0] if items else None)
            return (default.text or "") if default is not None else ""
        for kind in ("Seq", "Bag"):
            box = node.find(f"{{{_RDF}}}{kind}")
            if box is not None:
                return [li.text for li in box]
        return ""
    return None


def _pdf_date(iso: str) -> str | None:
    """ISO 8601 (XMP) -> PDF date string; None when it is not a date."""
    from pikepdf.models.metadata import encode_pdf_date

    try:
        return encode_pdf_date(datetime.fromisoformat(iso))
    except ValueError:
        return None


def read_xmp_packet(packet: bytes | None) -> dict[str, Any]:
    """read_xmp of a bare XMP packet (e.g. the one of an earlier revision); None: no XMP."""
    with pikepdf.new() as pdf:
        if packet is not None:
            pdf.Root.Metadata = pdf.make_stream(packet, Type=Name.Metadata, Subtype=Name.XML)
        return read_xmp(pdf)


# the standard properties that carry the marker's statement (see _properties)
_STATEMENT = {"title": "dc:title", "description": "dc:description",
              "identifier": "dc:identifier", "source": "dc:source"}


def read_xmp(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """Read back {"marker": {...}, "fields": {...}, "archival": {...}, "statement": {...},
    "pdfa": ...}."""
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
        if key.startswith((f"{{{NS_ND30}}}", f"{{{NS_LTR}}}")):
            archival[key.split("}", 1)[1]] = meta[key]
    statement = {k: str(meta[q]) for k, q in _STATEMENT.items() if q in meta}
    pdfa = None
    if "pdfaid:part" in meta:
        pdfa = f"{meta['pdfaid:part']}{str(meta.get('pdfaid:conformance', '')).lower()}"
    return {"marker": marker, "fields": fields, "archival": archival, "statement": statement,
            "pdfa": pdfa}


def marker_occurrences(packet: bytes | None) -> list[tuple[str, str]]:
    """Every occurrence of a sohoa:, nd30:, ltr: or statement dc: property in the packet, as
    (prefixed name, text), sorted: duplicates included (read_xmp sees only the first
    of two, another reader may show the second)."""
    from pikepdf._xml import parse_xml  # no entities, no network

    if packet is None:
        return []
    root = parse_xml(io.BytesIO(packet)).getroot()
    prefixes = {NS_SOHOA: PREFIX_SOHOA, NS_ND30: PREFIX_ND30, NS_LTR: PREFIX_LTR, _NS["dc"]: "dc"}
    dc_names = {q.split(":", 1)[1] for q in _STATEMENT.values()}
    out: list[tuple[str, str]] = []

    def add(tag: str, text: str) -> None:
        ns, _, local = tag[1:].partition("}")
        if ns in prefixes and (ns != _NS["dc"] or local in dc_names):
            out.append((f"{prefixes[ns]}:{local}", " ".join(text.split())))

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        add(el.tag, "".join(el.itertext()))
        for name, value in el.attrib.items():
            if name.startswith("{"):
                add(name, value)
    return sorted(out)


def metadata_changes(signed: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The marker, field and archival properties that differ between two read_xmp
    results, named as XMP properties, with both values: "sohoa:Operator 'A' -> 'B'"."""
    def show(v: Any) -> str:
        text = v if isinstance(v, str) else to_json(v)
        return repr(text if len(text) <= 80 else text[:79] + "…") if v is not None else "(absent)"

    out: list[str] = []
    for key, (prop, _) in MARKER_PROPERTIES.items():
        a, b = signed["marker"].get(key), now["marker"].get(key)
        if a != b:
            out.append(f"{PREFIX_SOHOA}:{prop} {show(a)} -> {show(b)}")
    fa, fb = signed["fields"], now["fields"]
    for key in sorted(set(fa) | set(fb)):
        if fa.get(key) != fb.get(key):
            out.append(f"{PREFIX_SOHOA}:{FIELDS_PROPERTY[0]} field {key!r} "
                       f"{show(fa.get(key))} -> {show(fb.get(key))}")
    aa, ab = signed["archival"], now["archival"]
    for key in sorted(set(aa) | set(ab)):
        if aa.get(key) != ab.get(key):
            prefix = PREFIX_ND30 if key in ND30_NAMES else PREFIX_LTR
            out.append(f"{prefix}:{key} {show(aa.get(key))} -> {show(ab.get(key))}")
    sa, sb = signed.get("statement", {}), now.get("statement", {})
    for key, q in _STATEMENT.items():
        if sa.get(key) != sb.get(key):
            out.append(f"{q} {show(sa.get(key))} -> {show(sb.get(key))}")
    return out
