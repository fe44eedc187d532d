"""The API's routers, one per concern: documents (catalogue records, originals,
verification, search), persons (a person's timeline) and audit (the audit log, admin)."""
