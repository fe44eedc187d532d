"""``verify_package``: a hand-over package checked with nothing but the package (no catalogue,
no store, no network):

1. the bag: BagIt structure, every payload file in the manifests and every manifest entry present
   with its SHA-256 and SHA-512 (the ``bagit`` library);
2. every METS document against data/schemas/mets.xsd and every PREMIS container in it against
   premis-v3-0.xsd (imports resolved in that folder only);
3. every METS file entry and PREMIS object: the file it points to exists inside data/, and its
   SHA-256 is the one METS and PREMIS record; every file under data/objects/ is described by a METS;
4. every signed PDF: pipeline/sign/verify.py offline (no OCSP/CRL fetching, no pdfsig, which would
   go online), against the trust roots in data/trust/roots/ (or the --trust roots given): intact,
   valid, trusted, with the revocation data the file embeds.

Each problem names the file and what is wrong. What "offline" trusts: the roots given, by default
the ones the package carries — compare their fingerprints (README.txt) with the archive's own.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from lxml import etree
from sohoa.pipeline.sign.verify import verify_pdf

from .mets import METS_NS, XLINK_NS
from .premis import PREMIS_NS
from .schemas import FILES, load_mets_premis, load_schema, safe_parser

NSMAP = {"mets": METS_NS, "premis": PREMIS_NS, "xlink": XLINK_NS}


@dataclass
class PackageReport:
    directory: str
    ok: bool = False
    files: int = 0
    mets: int = 0
    signatures: int = 0
    trust_roots: list[str] = field(default_factory=list)  # "sha256 subject"
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def to_text(self) -> str:
        head = (f"{'VALID' if self.ok else 'NOT VALID'}: {self.directory} — {self.files} payload files, "
                f"{self.mets} METS, {self.signatures} signatures checked offline")
        return "\n".join([head] + [f"trust root: {r}" for r in self.trust_roots]
                         + [f"problem: {p}" for p in self.problems])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _load_certs(paths: list[Path]) -> list[asn1_x509.Certificate]:
    out = []
    for p in paths:
        data = p.read_bytes()
        if asn1_pem.detect(data):
            out += [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
        else:
            out.append(asn1_x509.Certificate.load(data))
    return out


def _check_bag(root: Path, report: PackageReport) -> None:
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        report.problems.append(f"{root}: not a BagIt bag ({exc})")
        return
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = list(getattr(exc, "details", None) or [])
        if not details:  # a Payload-Oxum mismatch stops bagit before it names a file: name it
            for check in (bag._validate_completeness, lambda: bag._validate_entries(1)):
                try:
                    check()
                except bagit.BagValidationError as more:
                    details += list(getattr(more, "details", None) or [])
        if details:
            for d in details:
                report.problems.append(f"bag: {_bag_detail(d)}")
        else:
            report.problems.append(f"bag: {exc.message if hasattr(exc, 'message') else exc}")
    except bagit.BagError as exc:
        report.problems.append(f"bag: {exc}")


def _bag_detail(d: Any) -> str:
    if isinstance(d, bagit.ChecksumMismatch):
        return f"{d.path}: {d.algorithm} is {d.found}, the manifest says {d.expected} (file changed)"
    if isinstance(d, bagit.FileMissing):
        return f"{d.path}: listed in the manifest but missing"
    if isinstance(d, bagit.UnexpectedFile):
        return f"{d.path}: present but not in the manifest (file added)"
    return str(d)


def _inside(base: Path, rel: str) -> Path | None:
    """data/<rel> when it stays inside data/ (a METS href must not point out of the package)."""
    target = (base / rel).resolve()
    data = base.parent.resolve()
    return target if target.is_relative_to(data) else None


def _check_mets(root: Path, report: PackageReport, schema_dir: Path,
                roles: dict[Path, str] | None = None) -> dict[Path, tuple[str, str]]:
    """METS and PREMIS validity and fixity; returns the signed PDFs: path -> (METS name, file id),
    and fills roles: every described file -> its fileGrp USE."""
    roles = {} if roles is None else roles
    data = root / "data"
    try:
        mets_xsd, premis_xsd = load_mets_premis(schema_dir), load_schema("premis-v3-0.xsd", schema_dir)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        report.problems.append(f"data/schemas: the schemas do not load ({exc})")
        return {}
    described: set[Path] = set()
    signed: dict[Path, tuple[str, str]] = {}
    mets_files = sorted((data / "mets").glob("*.xml")) if (data / "mets").is_dir() else []
    if not mets_files:
        report.problems.append("data/mets: no METS document in the package")
    for mpath in mets_files:
        name = f"data/mets/{mpath.name}"
        report.mets += 1
        try:
            tree = etree.parse(str(mpath), safe_parser())
        except etree.XMLSyntaxError as exc:
            report.problems.append(f"{name}: not well-formed XML ({exc})")
            continue
        if not mets_xsd.validate(tree):
            err = mets_xsd.error_log.last_error
            report.problems.append(f"{name}: not valid METS (line {err.line}: {err.message})")
        for i, prem in enumerate(tree.iterfind(".//premis:premis", NSMAP)):
            if not premis_xsd.validate(etree.ElementTree(etree.fromstring(etree.tostring(prem)))):
                err = premis_xsd.error_log.last_error
                report.problems.append(f"{name}: PREMIS container {i + 1} not valid PREMIS 3 ({err.message})")
        premis_fixity: dict[str, str] = {}
        for obj in tree.iterfind(".//premis:object", NSMAP):
            oid = obj.findtext("premis:objectIdentifier/premis:objectIdentifierValue", namespaces=NSMAP)
            digest = obj.findtext("premis:objectCharacteristics/premis:fixity[premis:messageDigestAlgorithm="
                                  "'SHA-256']/premis:messageDigest", namespaces=NSMAP)
            if oid:
                premis_fixity[f"F-{oid}"] = (digest or "").lower()
        for f in tree.iterfind(".//mets:file", NSMAP):
            fid = f.get("ID", "?")
            href = f.find("mets:FLocat", NSMAP)
            rel = href.get(f"{{{XLINK_NS}}}href") if href is not None else None
            target = _inside(mpath.parent, rel) if rel else None
            if target is None:
                report.problems.append(f"{name}: file {fid} points outside the package or nowhere ({rel!r})")
                continue
            shown = f"data/{target.relative_to(data.resolve())}"
            if not target.is_file():
                report.problems.append(f"{shown}: named by {name} (file {fid}) but missing")
                continue
            described.add(target)
            parent = f.getparent()
            roles[target] = parent.get("USE", "") if parent is not None else ""
            actual = _sha256(target)
            if (f.get("CHECKSUM") or "").lower() != actual:
                report.problems.append(f"{shown}: SHA-256 {actual} differs from {name}'s CHECKSUM "
                                       f"{f.get('CHECKSUM')} (file {fid})")
            if fid not in premis_fixity:
                report.problems.append(f"{shown}: {name} has no PREMIS object for file {fid}")
            elif premis_fixity[fid] != actual:
                report.problems.append(f"{shown}: SHA-256 {actual} differs from the PREMIS fixity "
                                       f"{premis_fixity[fid]} in {name}")
            if f.get("MIMETYPE") == "application/pdf":
                signed[target] = (name, fid)
    objects = data / "objects"
    if objects.is_dir():
        for p in sorted(objects.rglob("*")):
            if p.is_file() and p.resolve() not in described:
                report.problems.append(f"data/{p.relative_to(data)}: in the package but described by no METS")
    return signed


def verify_package(directory: Path, trust: list[Path] | None = None) -> PackageReport:
    root = Path(directory)
    report = PackageReport(directory=str(root))
    if root.is_symlink() or not root.is_dir():
        report.problems.append(f"{root}: not a directory")
        return report
    _check_bag(root, report)
    report.files = sum(1 for p in (root / "data").rglob("*") if p.is_file()) if (root / "data").is_dir() else 0
    schema_dir = root / "data" / "schemas"
    if not all((schema_dir / n).is_file() for n in FILES):
        report.problems.append(f"data/schemas: missing one of {', '.join(FILES)}")
        return report
    roles: dict[Path, str] = {}
    signed = _check_mets(root, report, schema_dir, roles)
    try:
        roots = _load_certs(list(trust) if trust else sorted((root / "data" / "trust" / "roots").glob("*.pem")))
    except (OSError, ValueError) as exc:
        report.problems.append(f"trust roots: unreadable ({exc})")
        roots = []
    report.trust_roots = [f"{hashlib.sha256(c.dump()).hexdigest()}  {c.subject.human_friendly}" for c in roots]
    if not roots:
        report.problems.append("data/trust/roots: no trust root to check the signatures against")
    for path, (mets_name, fid) in sorted(signed.items()):
        shown = f"data/{path.relative_to((root / 'data').resolve())}"
        rep = verify_pdf(path.read_bytes(), trust_roots=roots or None, run_pdfsig=False, online=False)
        report.signatures += 1
        if not rep.valid:
            report.problems.append(f"{shown}: signature NOT VALID: " + "; ".join(rep.problems or ["no detail"]))
        elif not rep.trusted or not roots:
            report.problems.append(f"{shown}: signature valid but not trusted by the package's roots "
                                   f"({rep.trust})")
    _check_detached(root, roles, roots, report)
    report.ok = not report.problems
    return report


SIG = "_sig"


def _check_detached(root: Path, roles: dict[Path, str], roots: list[asn1_x509.Certificate],
                    report: PackageReport) -> None:
    """Verification records and their detached CMS signatures: '<role>_sig-<n>.p7s' signs
    '<role>-<n>.*' beside it (pipeline/sign/seal.py's check, offline); a verification record
    without its signature is a finding."""
    from sohoa.pipeline.sign.seal import check_seal

    data = (root / "data").resolve()
    by_name = {(p.parent, p.name.rsplit(".", 1)[0]): p for p in roles}
    signed_content: set[Path] = set()
    for path, role in sorted(roles.items()):
        if not role.endswith(SIG):
            continue
        shown = f"data/{path.relative_to(data)}"
        stem = path.name.rsplit(".", 1)[0]
        base = role[: -len(SIG)] + stem[len(role):]  # 'verification_sig-1' -> 'verification-1'
        content = by_name.get((path.parent, base))
        if content is None:
            report.problems.append(f"{shown}: a detached signature with nothing it signs ({base}.* missing)")
            continue
        signed_content.add(content)
        report.signatures += 1
        check = check_seal(content.read_bytes(), path.read_bytes(), roots)
        for p in check.problems:
            report.problems.append(f"data/{content.relative_to(data)}: its signature {path.name}: {p}")
    for path, role in sorted(roles.items()):
        if role == "verification" and path not in signed_content:
            report.problems.append(f"data/{path.relative_to(data)}: verification record without its signature")
