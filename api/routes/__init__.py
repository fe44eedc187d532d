"""The API's routers, one per concern: documents (catalogue records, originals,
verification, search) and audit (the audit log, admin)."""
