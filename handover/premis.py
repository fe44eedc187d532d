"""A document's files, events and agents as one PREMIS 3 container (``premis:premis``), for a
METS digiprovMD. The objects' fixity (SHA-256) is the bag's: the verifier compares them."""
from __future__ import annotations

from lxml import etree

from .events import Agent, Event, FileObject

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
P = f"{{{PREMIS_NS}}}"
ID_TYPE = "sohoa"  # identifier type of the objects and events this package names


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, P + name)
    if text is not None:
        el.text = text
    return el


def _object(parent: etree._Element, f: FileObject) -> None:
    obj = _sub(parent, "object")
    obj.set(f"{{{XSI_NS}}}type", "premis:file")
    ident = _sub(obj, "objectIdentifier")
    _sub(ident, "objectIdentifierType", ID_TYPE)
    _sub(ident, "objectIdentifierValue", f.id)
    chars = _sub(obj, "objectCharacteristics")
    _sub(chars, "compositionLevel", "0")
    fix = _sub(chars, "fixity")
    _sub(fix, "messageDigestAlgorithm", "SHA-256")
    _sub(fix, "messageDigest", f.sha256)
    _sub(fix, "messageDigestOriginator", "sohoa (catalogue)")
    _sub(chars, "size", str(f.size))
    fmt = _sub(chars, "format")
    _sub(_sub(fmt, "formatDesignation"), "formatName", f.mime)
    _sub(obj, "originalName", f.relpath)
    storage = _sub(obj, "storage")
    loc = _sub(storage, "contentLocation")
    _sub(loc, "contentLocationType", "object store (bucket/key@version)")
    _sub(loc, "contentLocationValue", f.catalogue_key)


def _event(parent: etree._Element, e: Event) -> None:
    ev = _sub(parent, "event")
    ident = _sub(ev, "eventIdentifier")
    _sub(ident, "eventIdentifierType", ID_TYPE)
    _sub(ident, "eventIdentifierValue", e.id)
    _sub(ev, "eventType", e.type)
    _sub(ev, "eventDateTime", e.when)
    _sub(_sub(ev, "eventDetailInformation"), "eventDetail", e.detail)
    out = _sub(ev, "eventOutcomeInformation")
    _sub(out, "eventOutcome", e.outcome)
    if e.outcome_note:
        _sub(_sub(out, "eventOutcomeDetail"), "eventOutcomeDetailNote", e.outcome_note)
    for agent, role in e.agents:
        link = _sub(ev, "linkingAgentIdentifier")
        _sub(link, "linkingAgentIdentifierType", agent.id_type)
        _sub(link, "linkingAgentIdentifierValue", agent.id_value)
        _sub(link, "linkingAgentRole", role)
    for obj_id, role in e.objects:
        link = _sub(ev, "linkingObjectIdentifier")
        _sub(link, "linkingObjectIdentifierType", ID_TYPE)
        _sub(link, "linkingObjectIdentifierValue", obj_id)
        _sub(link, "linkingObjectRole", role)


def _agent(parent: etree._Element, a: Agent) -> None:
    ag = _sub(parent, "agent")
    ident = _sub(ag, "agentIdentifier")
    _sub(ident, "agentIdentifierType", a.id_type)
    _sub(ident, "agentIdentifierValue", a.id_value)
    _sub(ag, "agentName", a.name)
    _sub(ag, "agentType", a.type)
    if a.version:
        _sub(ag, "agentVersion", a.version)
    if a.note:
        _sub(ag, "agentNote", a.note)


def premis_container(files: list[FileObject], events: list[Event]) -> etree._Element:
    root = etree.Element(P + "premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS})
    root.set("version", "3.0")
    for f in files:
        _object(root, f)
    for e in events:
        _event(root, e)
    agents: dict[tuple[str, str], Agent] = {}
    for e in events:
        for a, _ in e.agents:
            agents.setdefault((a.id_type, a.id_value), a)
    for key in sorted(agents):
        _agent(root, agents[key])
    return root
