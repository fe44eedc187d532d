"""Hand-over packages (issue 20, item 3): a selection of archived documents written as a
BagIt bag with a METS document per dossier (PREMIS events inside), a Vietnamese inventory,
the signer's trust roots and the schemas, and its offline verification.

    selection.py  which documents (a dossier, a batch, a date range) and their grouping
    events.py     the PREMIS events, agents and objects of a document, read from the catalogue
    premis.py     those as PREMIS 3 XML
    mets.py       one METS document per dossier (dmdSec, amdSec, fileSec, structMap)
    inventory.py  "Mục lục hồ sơ": the dossier list, HTML and CSV
    bag.py        the export itself: fetch, hash-check, write, bag, audit
    schemas.py    the shipped XSDs, resolved locally (never the network)
    verify.py     the offline verifier
"""
