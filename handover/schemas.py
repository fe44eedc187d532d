"""The XML schemas a package is checked against, shipped with sohoa and copied into every
package (data/schemas/): METS 1.12.1 (as metsrw 0.7.0 ships it), the METS XLink schema v2
(www.loc.gov/standards/xlink/xlink.xsd, which mets.xsd imports) and PREMIS 3.0
(www.loc.gov/standards/premis/v3/premis-v3-0.xsd). An import is resolved from the same folder,
never from the network: lxml's parser runs with no_network and a resolver that maps every
schemaLocation onto the local file of that name, and refuses any other."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

HERE = Path(__file__).with_name("schemas")
FILES = ("mets.xsd", "xlink.xsd", "premis-v3-0.xsd")


class _LocalOnly(etree.Resolver):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        name = str(url).rstrip("/").rsplit("/", 1)[-1]
        path = self.folder / name
        if name in FILES and path.is_file():
            return self.resolve_filename(str(path), context)
        raise etree.XMLSchemaParseError(f"schema import {url}: not shipped with the package (no network)")


def load_schema(name: str, folder: Path = HERE) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly(folder))
    return etree.XMLSchema(etree.parse(str(folder / name), parser))


_BOTH = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sohoa:handover:schemas"
           elementFormDefault="qualified">
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>
  <xs:import namespace="http://www.loc.gov/premis/v3" schemaLocation="premis-v3-0.xsd"/>
</xs:schema>"""


def load_mets_premis(folder: Path = HERE) -> etree.XMLSchema:
    """METS and PREMIS in one schema: a METS document's xmlData is validated laxly, so the PREMIS
    containers inside it (and their xsi:type) are checked against PREMIS 3 in the same pass."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalOnly(folder))
    doc = etree.fromstring(_BOTH, parser, base_url=str(folder / "combined.xsd"))
    return etree.XMLSchema(etree.ElementTree(doc))


def safe_parser() -> etree.XMLParser:
    """A parser for the package's own XML: no network, no entities, no huge trees."""
    return etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False, remove_blank_text=False)
