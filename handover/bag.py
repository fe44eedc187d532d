"""``export_package``: a selection of archived documents written as a BagIt bag.

    DIR/bagit.txt, bag-info.txt, manifest-sha256.txt, manifest-sha512.txt, tagmanifest-*.txt
    DIR/data/objects/<document id>/signed.pdf          the latest signed version (hash-checked)
    DIR/data/objects/<document id>/<role>-<n>.<ext>    its other non-source objects (verification records:
                                                       <n>.json and its detached CMS signature <n>.p7s)
    DIR/data/mets/<dossier>.xml                        one METS per dossier (PREMIS inside)
    DIR/data/trust/roots/*.pem, trust/signers/*.pem    the trust roots, the signers' certificates
    DIR/data/schemas/*.xsd                             METS, XLink, PREMIS
    DIR/data/muc-luc-ho-so.html, muc-luc-ho-so.csv     the inventory
    DIR/data/README.txt                                what the package is and how to check it

The bag is built beside DIR and renamed into place, so a failed export leaves no half package.
Reproducible: the same catalogue gives the same payload, byte for byte (METS CREATEDATE is the
newest catalogue time it records); only bag-info's Bagging-Date and the tag manifests that hash
it carry the export's day.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import bagit
from asn1crypto import x509 as asn1_x509
from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document, StoredObject
from sohoa.core.errors import IntegrityError, SohoaError
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sohoa.core.version import SOFTWARE
from sohoa.pipeline.sign.keys import demo_trust_roots, load_trust_roots
from sqlalchemy import select

from . import schemas
from .errors import ExportError, TargetRefused
from .events import Agent, FileObject, certificate_agent, document_events, integrity_runs, stable_id
from .inventory import inventory_csv, inventory_html, rows
from .mets import build_mets
from .selection import Group, Selection, dossier_metadata, safe_name, select_groups

log = logging.getLogger(__name__)
CHECKSUMS = ["sha256", "sha512"]


@dataclass
class ExportResult:
    directory: str
    selection: dict[str, Any]
    dossiers: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    manifest_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def to_text(self) -> str:
        return (f"package: {self.directory}\n"
                f"dossiers: {len(self.dossiers)} ({', '.join(self.dossiers)})\n"
                f"documents: {len(self.documents)}; files: {self.files}; {self.bytes} bytes\n"
                f"manifest-sha256.txt sha256: {self.manifest_sha256}")


def check_target(out: Path) -> None:
    """-o must be a new path or an empty directory; never a symlink (it would write elsewhere)."""
    if out.is_symlink():
        raise TargetRefused(f"{out}: is a symbolic link; give a new directory")
    if out.exists():
        if not out.is_dir():
            raise TargetRefused(f"{out}: exists and is not a directory")
        if any(out.iterdir()):
            raise TargetRefused(f"{out}: directory is not empty; a package is written only into a new "
                                "or empty directory")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise TargetRefused(f"{out}: its parent directory {parent} does not exist")


MIME = {"pdf": "application/pdf", "json": "application/json", "p7s": "application/pkcs7-signature",
        "xml": "application/xml"}
_EXT = re.compile(r"^[a-z0-9]{1,5}$")


def _name(role: str, key: str, data: bytes, taken: set[str]) -> tuple[str, str]:
    """(file name, MIME type) of a non-signed object: its role and the stem and extension of its
    store key ('verifications/D.../1.p7s', role verification_sig -> 'verification_sig-1.p7s'), so a
    detached signature and what it signs keep one number."""
    stem, _, ext = PurePosixPath(key).name.rpartition(".")
    if not stem or not _EXT.match(ext.lower()):
        stem, (ext, _) = PurePosixPath(key).name, _sniff(data)
    ext = ext.lower()
    base = f"{safe_name(role)}-{safe_name(stem)}"
    name, n = f"{base}.{ext}", 1
    while name in taken:  # two versions under one key
        n += 1
        name = f"{base}-{n}.{ext}"
    taken.add(name)
    return name, MIME.get(ext) or _sniff(data)[1]


def _sniff(data: bytes) -> tuple[str, str]:
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if data.lstrip()[:1] in (b"{", b"["):
        return "json", "application/json"
    if data.lstrip()[:1] == b"<":
        return "xml", "application/xml"
    return "bin", "application/octet-stream"


def _pem(cert: asn1_x509.Certificate) -> bytes:
    from asn1crypto import pem
    return pem.armor("CERTIFICATE", cert.dump())


def fingerprint(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def signer_certificates(pdf: bytes) -> tuple[asn1_x509.Certificate | None, list[asn1_x509.Certificate]]:
    """The first signature's signer certificate and every certificate its CMS carries."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        sigs = list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures)
    except Exception:
        return None, []
    if not sigs:
        return None, []
    certs = [c.chosen for c in sigs[0].signed_data["certificates"] or []
             if isinstance(c.chosen, asn1_x509.Certificate)]
    return sigs[0].signer_cert, certs


def _objects(s: Any, doc: Document) -> list[StoredObject]:
    """The latest signed version and every other object but the raw source, oldest first."""
    rows_ = list(s.scalars(select(StoredObject).where(StoredObject.document_id == doc.document_id)
                           .order_by(StoredObject.id)))
    signed = [o for o in rows_ if o.role == "signed"]
    if not signed:
        raise ExportError(f"document {doc.document_id}: no signed original in the archive")
    return [signed[-1]] + [o for o in rows_ if o.role not in ("signed", "source")]


def _fetch(rt: Runtime, obj: StoredObject) -> bytes:
    ref = ObjectRef(obj.bucket, obj.key, obj.version_id, obj.sha256, obj.size)
    try:
        data = rt.store.get(ref)
    except IntegrityError as exc:
        raise ExportError(f"document {obj.document_id}: stored object {obj.key} does not match the "
                          f"catalogue ({exc})") from None
    if hashlib.sha256(data).hexdigest() != obj.sha256:  # the store checks; a package is checked twice
        raise ExportError(f"document {obj.document_id}: stored object {obj.key} does not match the catalogue hash")
    return data


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _roots(rt: Runtime, signers: dict[str, asn1_x509.Certificate]) -> dict[str, asn1_x509.Certificate]:
    """The trust anchors the package ships: the configured roots and the DEMO certificate; with
    neither, a self-signed signer certificate stands for itself (said in README.txt)."""
    found = {fingerprint(c): c for c in load_trust_roots(rt.settings) + demo_trust_roots(rt.settings)}
    if not found:
        found = {fp: c for fp, c in signers.items() if c.self_signed in ("yes", "maybe")}
    return found


def _readme(sel: Selection, groups: list[Group], roots: dict[str, asn1_x509.Certificate]) -> bytes:
    lines = [
        "Gói bàn giao tài liệu số hóa (hand-over package) — sohoa",
        "",
        f"Selection: {sel.describe()}",
        f"Dossiers (hồ sơ): {len(groups)}; documents: {sum(len(g.documents) for g in groups)}",
        "",
        "objects/<document>/signed.pdf   the signed (PAdES) original, with its conversion marker",
        "objects/<document>/<role>-N.*   the document's verification records",
        "mets/<dossier>.xml              METS 1.12 per dossier: archival metadata, PREMIS 3 events, pages",
        "muc-luc-ho-so.html / .csv       Mục lục hồ sơ (the dossier list)",
        "trust/roots/*.pem               the trust anchors the signatures are checked against",
        "trust/signers/*.pem             the signers' certificates and the chains their signatures carry",
        "schemas/                        mets.xsd, xlink.xsd, premis-v3-0.xsd (validation needs no network)",
        "",
        "Check offline: sohoa export --verify DIR  (BagIt fixity and completeness, every signature with its",
        "embedded validation data against trust/roots, METS and PREMIS against schemas/, PREMIS fixity).",
        "The package vouches for its own trust roots: compare their SHA-256 fingerprints with the ones",
        "the archive published, or verify with --trust ROOT.pem.",
        "",
        "Trust roots (SHA-256):",
    ] + [f"  {fp}  {c.subject.human_friendly}" for fp, c in sorted(roots.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def export_package(rt: Runtime, sel: Selection, out: Path) -> ExportResult:
    check_target(out)
    staging = out.absolute().parent / f".{out.name}.partial-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    result = ExportResult(directory=str(out), selection=sel.describe())
    try:
        _build(rt, sel, staging, result)
        bag = bagit.make_bag(str(staging), bag_info=_bag_info(rt, sel, result), processes=1,
                             checksums=CHECKSUMS)
        bag.validate(processes=1)  # what we hand over is a valid bag, or nothing
        result.manifest_sha256 = hashlib.sha256((staging / "manifest-sha256.txt").read_bytes()).hexdigest()
        if out.is_dir():
            out.rmdir()  # empty: checked above
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with rt.catalogue.session() as s:
        audit(s, rt.actor, "handover.export", str(out.absolute()), selection=sel.describe(),
              dossiers=result.dossiers, documents=len(result.documents), files=result.files, bytes=result.bytes,
              manifest_sha256=result.manifest_sha256)
    log.info("hand-over package written", extra={"directory": str(out), "documents": len(result.documents),
                                                 "manifest_sha256": result.manifest_sha256})
    return result


def _bag_info(rt: Runtime, sel: Selection, result: ExportResult) -> dict[str, str]:
    return {
        "Source-Organization": rt.settings.unit,
        "Organization-Code": rt.settings.organ_code,
        "External-Description": "Gói bàn giao hồ sơ số hóa (signed PDFs, METS/PREMIS, Mục lục hồ sơ)",
        "External-Identifier": stable_id("package", sorted(sel.describe().items()), result.documents),
        "Internal-Sender-Description": ", ".join(f"{k}={v}" for k, v in sorted(sel.describe().items())),
        "Bag-Count": "1 of 1",
        "Bag-Software-Agent": SOFTWARE,
    }


def _as_of(events: dict[str, list[Any]], files: dict[str, list[FileObject]]) -> str:
    """METS CREATEDATE: the time of the newest catalogue fact the package records (an event, a
    stored object), not the clock's -- so the same catalogue gives a byte-identical payload; when
    the export ran is in bag-info.txt (Bagging-Date) and in the audit log."""
    times = [_utc(f.stored_at) for fs in files.values() for f in fs]
    for evs in events.values():
        for e in evs:
            try:
                times.append(_utc(datetime.fromisoformat(e.when)))
            except ValueError:
                continue
    return max(times).isoformat(timespec="seconds") if times else "1970-01-01T00:00:00+00:00"


def _utc(dt: datetime) -> datetime:
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _build(rt: Runtime, sel: Selection, root: Path, result: ExportResult) -> None:
    unit = rt.settings.unit
    signers: dict[str, asn1_x509.Certificate] = {}
    with rt.catalogue.session() as s:
        groups = select_groups(s, sel, rt.settings.organ_code)
        runs = integrity_runs(s)  # once: every document's fixity history comes from these
        files: dict[str, list[FileObject]] = {}
        events: dict[str, list[Any]] = {}
        paths: dict[str, str] = {}
        for g in groups:
            for d in g.documents:
                doc = s.get(Document, d.document_id)
                assert doc is not None
                objs: list[FileObject] = []
                signer_agent: Agent | None = None
                taken: set[str] = set()
                for o in _objects(s, doc):
                    data = _fetch(rt, o)
                    ext, mime = _sniff(data)
                    if o.role == "signed":
                        name = f"signed.{ext}"
                        cert, chain = signer_certificates(data)
                        if cert is not None:
                            signer_agent = certificate_agent(cert.subject.human_friendly, fingerprint(cert))
                            for c in [cert, *chain]:
                                signers[fingerprint(c)] = c
                    else:
                        name, mime = _name(o.role, o.key, data, taken)
                    rel = f"objects/{d.document_id}/{name}"
                    _write(root / rel, data)
                    objs.append(FileObject(id=stable_id(d.document_id, o.role, o.sha256), document_id=d.document_id,
                                           role=o.role, relpath=rel, sha256=o.sha256, size=len(data), mime=mime,
                                           catalogue_key=f"{o.bucket}/{o.key}@{o.version_id or '-'}",
                                           stored_at=o.created_at))
                    result.files += 1
                    result.bytes += len(data)
                files[d.document_id] = objs
                paths[d.document_id] = objs[0].relpath
                events[d.document_id] = document_events(s, d, objs, signer_agent, runs)
                result.documents.append(d.document_id)
    metas = {g.code: dossier_metadata(g, unit) for g in groups}
    created = _as_of(events, files)
    for g in groups:
        _write(root / "mets" / f"{g.slug}.xml",
               build_mets(g, metas[g.code], files, events, created, unit, SOFTWARE))
        result.dossiers.append(g.code)
    _write(root / "muc-luc-ho-so.csv", inventory_csv(rows(groups, metas, paths)))
    sel_text = ", ".join(f"{k} {v}" for k, v in sorted(sel.describe().items()))
    _write(root / "muc-luc-ho-so.html", inventory_html(groups, metas, paths, unit, sel_text))
    roots = _roots(rt, signers)
    for fp, c in sorted(roots.items()):
        _write(root / "trust" / "roots" / f"{fp[:16]}.pem", _pem(c))
    for fp, c in sorted(signers.items()):
        _write(root / "trust" / "signers" / f"{fp[:16]}.pem", _pem(c))
    for name in schemas.FILES:
        _write(root / "schemas" / name, (schemas.HERE / name).read_bytes())
    _write(root / "README.txt", _readme(sel, groups, roots))


__all__ = ["ExportResult", "export_package", "check_target", "SohoaError"]
