"""A PDF/A-2b checker for the tests (not a full validator).

`check_pdfa(path)` reads a PDF back with pikepdf and lists the PDF/A
requirements it can see broken (an empty list when none). It does not parse
font programs or check every content operator. The tests also run pikepdf's
allow-list validator (pikepdf.pdfa, veraPDF's rule ids): `validator_findings`
gives its findings, less -- for a signed sohoa PDF -- the three constructs it
does not judge (`SIGNED_GAPS`), which check_pdfa covers instead. veraPDF itself
(Java, outside PyPI and Debian) is not available here. `revisions(data)` cuts a
signed file into its revisions. What the output must carry is
pipeline/ocr/pdfa.py's.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sohoa.pipeline.ocr.pdfa import CONFORMANCE, PART, XMP_NS

# Info key -> (XMP namespace prefix, property, kind) that must agree (ISO 19005-2 6.6.2.3, 6.6.3)
INFO_XMP = {
    "/Title": ("dc", "title", "alt"),
    "/Author": ("dc", "creator", "seq"),
    "/Subject": ("dc", "description", "alt"),
    "/Keywords": ("pdf", "Keywords", "text"),
    "/Creator": ("xmp", "CreatorTool", "text"),
    "/Producer": ("pdf", "Producer", "text"),
    "/CreationDate": ("xmp", "CreateDate", "date"),
    "/ModDate": ("xmp", "ModifyDate", "date"),
}



# --- the checker ------------------------------------------------------------------------

_FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide",
                      "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript"}
_NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
_FORBIDDEN_FILTERS = {"/LZWDecode", "/LZW"}
_BLEND_MODES = {"/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten",
                "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion",
                "/Hue", "/Saturation", "/Color", "/Luminosity"}
_FORBIDDEN_ANNOTS = {"/3D", "/Sound", "/Screen", "/Movie"}
_DEVICE_OPS = {"rg": "/DeviceRGB", "RG": "/DeviceRGB", "k": "/DeviceCMYK", "K": "/DeviceCMYK",
               "g": "/DeviceGray", "G": "/DeviceGray"}


def _parse_pdf_date(s: str) -> datetime | None:
    m = re.match(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([+\-Z])(?:(\d{2})'?(\d{2})?'?)?)?$", s.strip())
    if not m:
        return None
    y, mo, d, h, mi, sec, sign, oh, om = m.groups()
    tz = timezone.utc
    if sign in ("+", "-"):
        off = timedelta(hours=int(oh or 0), minutes=int(om or 0))
        tz = timezone(off if sign == "+" else -off)
    return datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(sec or 0), tzinfo=tz)


def _parse_xmp_date(s: str) -> datetime | None:
    s = s.strip()
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _xmp_values(root, prefix: str, prop: str) -> list[str] | None:
    """Values of an XMP property (attribute or element, simple or rdf:Alt/Seq/Bag); None when absent."""
    uri = XMP_NS[prefix]
    rdf = XMP_NS["rdf"]
    found: list[str] | None = None
    for desc in root.iter(f"{{{rdf}}}Description"):
        attr = desc.get(f"{{{uri}}}{prop}")
        if attr is not None:
            found = (found or []) + [attr]
        for el in desc.findall(f"{{{uri}}}{prop}"):
            lis = el.findall(f".//{{{rdf}}}li")
            found = (found or []) + ([li.text or "" for li in lis] if lis else [el.text or ""])
    return found


# namespaces of the XMP 2005 schemas PDF/A-2 predefines (ISO 19005-2 6.6.2.3.1)
# and of the PDF/A identification and extension schemas
PREDEFINED_NS = {
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/bj/", "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/", "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/camera-raw-settings/1.0/", "http://ns.adobe.com/tiff/1.0/", "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/exif/1.0/aux/", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "http://ns.adobe.com/xap/1.0/sType/Version#",
    "http://ns.adobe.com/xap/1.0/sType/Job#", "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "http://ns.adobe.com/xap/1.0/sType/Font#", "http://ns.adobe.com/xap/1.0/g/", "http://ns.adobe.com/xap/1.0/g/img/",
    "http://ns.adobe.com/xap/1.0/sType/ManifestItem#", "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
    "http://www.aiim.org/pdfa/ns/id/", "http://www.aiim.org/pdfa/ns/extension/", "http://www.aiim.org/pdfa/ns/schema#",
    "http://www.aiim.org/pdfa/ns/property#", "http://www.aiim.org/pdfa/ns/type#", "http://www.aiim.org/pdfa/ns/field#",
    XMP_NS["rdf"], XMP_NS["x"], "http://www.w3.org/XML/1998/namespace",
}
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"


def _xmp_schema_problems(root) -> list[str]:
    """Properties of namespaces PDF/A does not predefine must be declared in pdfaExtension:schemas."""
    rdf = XMP_NS["rdf"]
    declared: dict[str, set[str]] = {}
    probs: list[str] = []
    for el in root.iter(f"{{{_PDFA_SCHEMA}}}namespaceURI"):
        schema = el.getparent()
        uri = (el.text or "").strip()
        names = set()
        for field in ("schema", "prefix"):
            if schema.find(f"{{{_PDFA_SCHEMA}}}{field}") is None:
                probs.append(f"XMP extension schema {uri}: no pdfaSchema:{field}")
        for prop in schema.iter(f"{{{_PDFA_PROPERTY}}}name"):
            desc = prop.getparent()
            for field in ("valueType", "category", "description"):
                if desc.find(f"{{{_PDFA_PROPERTY}}}{field}") is None:
                    probs.append(f"XMP extension schema {uri}: property {prop.text} has no pdfaProperty:{field}")
            names.add((prop.text or "").strip())
        declared.setdefault(uri, set()).update(names)
    undeclared: set[str] = set()
    for desc in root.iter(f"{{{rdf}}}Description"):
        if desc.getparent() is None or desc.getparent().tag != f"{{{rdf}}}RDF":
            continue  # a structure inside a property: its fields belong to the property's type
        props = [(k, None) for k in desc.attrib] + [(child.tag, child) for child in desc]
        for tag, _ in props:
            if not tag.startswith("{"):
                continue
            uri, _, local = tag[1:].partition("}")
            if uri in PREDEFINED_NS:
                continue
            if local not in declared.get(uri, set()):
                undeclared.add(f"{{{uri}}}{local}")
    probs += [f"XMP property {t} is neither predefined nor declared in an extension schema" for t in sorted(undeclared)]
    return probs


def _resources_walk(pdf):
    """(where, resources dict, content stream object) of every page, form XObject,
    annotation appearance and Type3 glyph procedure, each once."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    out = []

    def visit(where, obj, resources):
        if isinstance(obj, pikepdf.Stream) and obj.objgen != (0, 0):
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        out.append((where, resources, obj))
        if resources is None:
            return
        xobjs = resources.get("/XObject", {})
        for name in list(xobjs.keys()):
            x = xobjs[name]
            if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Form":
                visit(f"{where} form {name}", x, x.get("/Resources", resources))
        pats = resources.get("/Pattern", {})
        for name in list(pats.keys()):
            p = pats[name]
            if isinstance(p, pikepdf.Stream):
                visit(f"{where} pattern {name}", p, p.get("/Resources"))

    for i, page in enumerate(pdf.pages, 1):
        visit(f"page {i}", page.obj, page.obj.get("/Resources"))
        for j, annot in enumerate(page.obj.get("/Annots", []) or []):
            ap = annot.get("/AP")
            if ap is None:
                continue
            for key in ("/N", "/R", "/D"):
                a = ap.get(key)
                if isinstance(a, pikepdf.Stream):
                    visit(f"page {i} annot {j} AP{key}", a, a.get("/Resources"))
                elif isinstance(a, pikepdf.Dictionary):
                    for state in list(a.keys()):
                        s = a[state]
                        if isinstance(s, pikepdf.Stream):
                            visit(f"page {i} annot {j} AP{key}{state}", s, s.get("/Resources"))
    return out


def _font_problems(where: str, name: str, font) -> list[str]:
    probs = []
    sub = font.get("/Subtype")
    label = f"{where} font {name} ({font.get('/BaseFont', '?')})"
    if sub == "/Type3":
        return probs
    if sub == "/Type0":
        desc_fonts = font.get("/DescendantFonts")
        if not desc_fonts or len(desc_fonts) != 1:
            return [f"{label}: Type0 without one descendant font"]
        cid = desc_fonts[0]
        fd = cid.get("/FontDescriptor")
        if cid.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in cid:
            probs.append(f"{label}: CIDFontType2 without CIDToGIDMap")
        enc = font.get("/Encoding")
        if not (enc in ("/Identity-H", "/Identity-V") or hasattr(enc, "read_bytes")):
            probs.append(f"{label}: CMap {enc} is neither Identity nor embedded")
        if fd is None:
            return probs + [f"{label}: descendant font has no FontDescriptor"]
        if not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            probs.append(f"{label}: font program not embedded")
        return probs
    fd = font.get("/FontDescriptor")
    if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        probs.append(f"{label}: font program not embedded")
    if "/Widths" not in font:
        probs.append(f"{label}: simple font without /Widths")
    return probs


def _direct_dicts(obj):
    """`obj` (a dictionary or array) and the dictionaries nested in it directly (not via references)."""
    import pikepdf

    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, pikepdf.Dictionary) or isinstance(o, pikepdf.Stream):
            yield o
            children = [o[k] for k in list(o.keys())]
        elif isinstance(o, pikepdf.Array):
            children = list(o)
        else:
            continue
        stack.extend(c for c in children
                     if isinstance(c, (pikepdf.Dictionary, pikepdf.Array)) and not c.is_indirect)


def _annot_problems(label: str, annot) -> list[str]:
    import pikepdf

    probs = []
    st = annot.get("/Subtype")
    if st in _FORBIDDEN_ANNOTS:
        probs.append(f"{label}: annotation type not allowed")
    if st != "/Popup":
        flags = int(annot.get("/F", 0))
        if not flags & 4 or flags & (1 | 2 | 32 | 256):
            probs.append(f"{label}: flags {flags} (Print must be set; Invisible, Hidden, NoView, ToggleNoView clear)")
    if "/AA" in annot and st == "/Widget":
        probs.append(f"{label}: widget /AA")
    rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
    zero = abs(rect[2] - rect[0]) < 1e-6 and abs(rect[3] - rect[1]) < 1e-6
    if st not in ("/Popup", "/Link") and not zero:
        ap = annot.get("/AP")
        if ap is None or "/N" not in ap or set(ap.keys()) - {"/N"}:
            probs.append(f"{label}: needs an /AP with only /N")
        elif st == "/Widget" and annot.get("/FT", annot.get("/Parent", {}).get("/FT")) == "/Btn":
            pass  # /N is a dictionary of states for buttons
        elif not isinstance(ap["/N"], pikepdf.Stream):
            probs.append(f"{label}: /AP /N is not a stream")
    return probs


def _content_colour_spaces(obj) -> set[str]:
    import pikepdf

    used: set[str] = set()
    try:
        ops = pikepdf.parse_content_stream(obj)
    except Exception:
        return used
    for operands, op in ops:
        try:
            o = str(op)
        except UnicodeDecodeError:
            continue
        if o in _DEVICE_OPS:
            used.add(_DEVICE_OPS[o])
        elif o in ("cs", "CS") and operands and str(operands[0]) in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray"):
            used.add(str(operands[0]))
    return used


def _icc_header(data: bytes) -> tuple[str, str, float] | None:
    if len(data) < 128 or data[36:40] != b"acsp":
        return None
    major, minor = data[8], data[9] >> 4
    return data[12:16].decode("latin-1"), data[16:20].decode("latin-1"), major + minor / 10


def check_pdfa(path: str | Path, *, part: int = PART, conformance: str = CONFORMANCE) -> list[str]:
    """Problems with `path` as PDF/A-`part``conformance` that can be seen with pikepdf ([] = none found)."""
    import pikepdf
    from lxml import etree

    path = Path(path)
    probs: list[str] = []
    head = path.read_bytes()[:1024]
    m = re.match(rb"%PDF-1\.([0-7])\r?\n?%?", head)
    if not m:
        probs.append(f"header: not %PDF-1.0 .. 1.7 ({head[:8]!r})")
    lines = head.split(b"\n", 2)
    if len(lines) < 2 or not (lines[1][:1] == b"%" and sum(c > 127 for c in lines[1][1:5]) == 4):
        probs.append("header: no binary comment (% and 4 bytes > 127) on the second line")
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return probs + ["encrypted"]
    with pdf:
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            probs.append("encrypted")
        ident = pdf.trailer.get("/ID")
        if ident is None or len(ident) != 2:
            probs.append("trailer: no /ID")
        root = pdf.Root

        # --- XMP ---
        xmp_root = None
        meta = root.get("/Metadata")
        if not isinstance(meta, pikepdf.Stream):
            probs.append("catalog: no /Metadata stream")
        else:
            if meta.get("/Type") != "/Metadata" or meta.get("/Subtype") != "/XML":
                probs.append("metadata stream: not /Type /Metadata /Subtype /XML")
            raw = meta.read_bytes()
            hdr = re.search(rb"<\?xpacket\s+begin=[^>]*\?>", raw)
            if hdr and (b"bytes=" in hdr.group(0) or b"encoding=" in hdr.group(0)):
                probs.append("XMP: xpacket header has a bytes or encoding attribute")
            try:
                raw.decode("utf-8")
                xmp_root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
            except Exception as exc:
                probs.append(f"XMP: not well-formed UTF-8 XML ({exc})")
        if xmp_root is not None:
            p = _xmp_values(xmp_root, "pdfaid", "part")
            c = _xmp_values(xmp_root, "pdfaid", "conformance")
            if not p:
                probs.append("XMP: no pdfaid:part")
            elif p[0].strip() != str(part):
                probs.append(f"XMP: pdfaid:part is {p[0]!r}, expected {part}")
            if not c:
                probs.append("XMP: no pdfaid:conformance")
            elif c[0].strip() != conformance:
                probs.append(f"XMP: pdfaid:conformance is {c[0]!r}, expected {conformance}")
            probs.extend(_xmp_schema_problems(xmp_root))
            info = pdf.trailer.get("/Info")
            for key in list(info.keys()) if info is not None else []:
                if key not in INFO_XMP:
                    continue
                prefix, prop, kind = INFO_XMP[key]
                xv = _xmp_values(xmp_root, prefix, prop)
                iv = str(info[key])
                if not xv:
                    probs.append(f"Info {key} has no XMP {prefix}:{prop}")
                    continue
                if kind == "date":
                    a, b = _parse_pdf_date(iv), _parse_xmp_date(xv[0])
                    if a is None or b is None or a != b:
                        probs.append(f"Info {key} {iv!r} != XMP {prefix}:{prop} {xv[0]!r}")
                elif kind == "seq":
                    if iv != ", ".join(xv) and iv != (xv[0] if xv else ""):
                        probs.append(f"Info {key} {iv!r} != XMP {prefix}:{prop} {xv!r}")
                elif iv != xv[0]:
                    probs.append(f"Info {key} {iv!r} != XMP {prefix}:{prop} {xv[0]!r}")

        # --- OutputIntent ---
        oi_cs = None
        profiles = set()
        for oi in root.get("/OutputIntents", []) or []:
            if oi.get("/S") != "/GTS_PDFA1":
                continue
            prof = oi.get("/DestOutputProfile")
            if not isinstance(prof, pikepdf.Stream):
                probs.append("OutputIntent GTS_PDFA1 without an embedded DestOutputProfile")
                continue
            profiles.add(prof.objgen)
            h = _icc_header(prof.read_bytes())
            if h is None:
                probs.append("OutputIntent: DestOutputProfile is not an ICC profile")
                continue
            cls, cs, ver = h
            n = int(prof.get("/N", 0))
            if cls not in ("mntr", "prtr") or cs not in ("RGB ", "GRAY", "CMYK") or ver >= 5.0:
                probs.append(f"OutputIntent: ICC profile class {cls!r}, colour space {cs!r}, version {ver}")
            if n != {"RGB ": 3, "GRAY": 1, "CMYK": 4}.get(cs, -1):
                probs.append(f"OutputIntent: ICC /N {n} does not match colour space {cs!r}")
            oi_cs = cs
        if len(profiles) > 1:
            probs.append("OutputIntents: different DestOutputProfiles")
        if oi_cs is None:
            probs.append("catalog: no PDF/A OutputIntent (GTS_PDFA1) with an ICC profile")

        def device_ok(where: str, cs: str) -> None:
            need = {"/DeviceRGB": "RGB ", "/DeviceCMYK": "CMYK"}.get(cs)
            if cs == "/DeviceGray" and oi_cs is None:
                probs.append(f"{where}: DeviceGray without an OutputIntent")
            elif need and oi_cs != need:
                probs.append(f"{where}: {cs} with OutputIntent colour space {oi_cs!r}")

        # --- catalog level ---
        if "/AA" in root:
            probs.append("catalog: /AA (additional actions)")
        names = root.get("/Names")
        if names is not None and "/JavaScript" in names:
            probs.append("catalog: JavaScript name tree")
        if names is not None and "/EmbeddedFiles" in names:
            probs.append("catalog: embedded files (need to be PDF/A themselves; not checked)")
        if "/Requirements" in root:
            probs.append("catalog: /Requirements")
        if root.get("/NeedsRendering") is True:
            probs.append("catalog: /NeedsRendering true")
        af = root.get("/AcroForm")
        if af is not None:
            if "/XFA" in af:
                probs.append("AcroForm: XFA")
            if af.get("/NeedAppearances") is True:
                probs.append("AcroForm: NeedAppearances true")

        # --- every object: actions, filters, images, ExtGState, transparency groups ---
        for top in pdf.objects:
            if isinstance(top, (pikepdf.Dictionary, pikepdf.Array)):
                label = f"obj {top.objgen[0]} {top.objgen[1]}"
                for d in _direct_dicts(top):
                    if d.get("/S") in _FORBIDDEN_ACTIONS and d.get("/Type", "/Action") == "/Action":
                        probs.append(f"{label}: forbidden action {d.get('/S')}")
                    if "/JS" in d:
                        probs.append(f"{label}: JavaScript (/JS)")
                    if d.get("/S") == "/Named" and str(d.get("/N")) not in _NAMED_ACTIONS:
                        probs.append(f"{label}: named action {d.get('/N')}")
        for obj in pdf.objects:
            if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                continue
            label = f"obj {obj.objgen[0]} {obj.objgen[1]}"
            if isinstance(obj, pikepdf.Stream):
                filters = obj.get("/Filter")
                filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
                for f in filters:
                    if str(f) in _FORBIDDEN_FILTERS:
                        probs.append(f"{label}: filter {f}")
                    if str(f) == "/Crypt":
                        probs.append(f"{label}: Crypt filter")
                for k in ("/F", "/FFilter", "/FDecodeParms"):
                    if k in obj:
                        probs.append(f"{label}: stream refers to an external file ({k})")
                if obj.get("/Subtype") == "/Image":
                    if obj.get("/Interpolate") is True:
                        probs.append(f"{label}: image /Interpolate true")
                    for k in ("/Alternates", "/OPI"):
                        if k in obj:
                            probs.append(f"{label}: image {k}")
                    cs = obj.get("/ColorSpace")
                    if isinstance(cs, pikepdf.Name):
                        device_ok(f"{label} image", str(cs))
                if obj.get("/Subtype") == "/Form":
                    for k in ("/OPI", "/PS"):
                        if k in obj:
                            probs.append(f"{label}: form XObject {k}")
                    if obj.get("/Subtype2") == "/PS":
                        probs.append(f"{label}: PostScript XObject")
                if obj.get("/Subtype") == "/PS":
                    probs.append(f"{label}: PostScript XObject")
            if obj.get("/Type") == "/ExtGState":
                if "/TR" in obj:
                    probs.append(f"{label}: ExtGState /TR")
                if "/TR2" in obj and obj.get("/TR2") != "/Default":
                    probs.append(f"{label}: ExtGState /TR2 not /Default")
                if "/HTP" in obj:
                    probs.append(f"{label}: ExtGState /HTP")
                bm = obj.get("/BM")
                bms = [bm] if isinstance(bm, pikepdf.Name) else list(bm or [])
                for b in bms:
                    if str(b) not in _BLEND_MODES:
                        probs.append(f"{label}: blend mode {b}")
            grp = obj.get("/Group")
            if isinstance(grp, pikepdf.Dictionary) and grp.get("/S") == "/Transparency":
                if "/CS" not in grp and oi_cs is None:
                    probs.append(f"{label}: transparency group without /CS and no OutputIntent")
        for i, page in enumerate(pdf.pages, 1):
            if "/AA" in page.obj:
                probs.append(f"page {i}: /AA (additional actions)")
            for j, annot in enumerate(page.obj.get("/Annots", []) or []):
                probs.extend(_annot_problems(f"page {i} annotation {j} ({annot.get('/Subtype')})", annot))

        # --- fonts and device colour in content streams ---
        fonts_seen: set[tuple[int, int]] = set()
        for where, res, obj in _resources_walk(pdf):
            if res is not None:
                fonts = res.get("/Font", {})
                for name in list(fonts.keys()):
                    f = fonts[name]
                    if f.objgen != (0, 0):
                        if f.objgen in fonts_seen:
                            continue
                        fonts_seen.add(f.objgen)
                    probs.extend(_font_problems(where, str(name), f))
                css = res.get("/ColorSpace", {})
                for name in list(css.keys()):
                    c = css[name]
                    if isinstance(c, pikepdf.Name):
                        device_ok(f"{where} colour space {name}", str(c))
            for cs in sorted(_content_colour_spaces(obj)):
                device_ok(f"{where} content", cs)
    return probs


# What pikepdf's allow-list validator does not judge in a signed sohoa PDF, and why each is
# PDF/A-2b all the same (check_pdfa checks what the standard asks of each):
#  - /AcroForm: the signature field (ISO 19005-2 6.4.1 allows signature fields; no XFA,
#    no NeedAppearances, widget flags and appearance checked by check_pdfa);
#  - /DSS: the PAdES validation data (ISO 32000-2 / ETSI EN 319 142; a catalog key
#    PDF/A-2 neither forbids nor defines);
#  - the XMP extension schemas of the conversion marker (sohoa, nd30, ltr) and their
#    pdfaExtension/pdfaSchema/pdfaProperty declarations (ISO 19005-2 6.6.2.3.2 allows
#    extension schemas; the validator knows only the predefined ones; check_pdfa checks
#    that every such property is declared with valueType, category and description).
_EXTENSION_PREFIXES = ("sohoa", "nd30", "ltr", "pdfaExtension", "pdfaSchema", "pdfaProperty", "pdfaType", "pdfaField")
_XMP_GAP = re.compile(r"^XMP (?:namespace|property) (%s)[:=]" % "|".join(_EXTENSION_PREFIXES))


def _signed_gap(finding) -> bool:
    if finding.rule == "pikepdf:schema-Catalog" and finding.kind == "unsupported":
        return finding.message.startswith("interactive forms (/AcroForm)") or \
            finding.message == "unrecognized key(s) /DSS are not checked"
    return finding.rule == "ISO_19005_2:6.6.2.3.1-1" and bool(_XMP_GAP.match(finding.message))


SIGNED_GAPS = ("/AcroForm (the signature field)", "/DSS (PAdES validation data)",
               "XMP extension schemas " + ", ".join(_EXTENSION_PREFIXES[:3]) + " and their declarations")


def validator_findings(path: str | Path, flavour: str = "2b", *, signed: bool = False) -> list[str]:
    """pikepdf.pdfa's findings on the file ([] = approved); signed: less the SIGNED_GAPS."""
    import pikepdf.pdfa

    report = pikepdf.pdfa.validate_written(Path(path), flavour)
    return [str(f) for f in report.findings if not (signed and _signed_gap(f))]


def revisions(data: bytes) -> list[bytes]:
    """The file as of each revision: its first save, then each incremental update
    (signature, DSS, document timestamp), each ending at its %%EOF."""
    return [data[:m.end()] for m in re.finditer(rb"%%EOF[\r\n]*", data)]
