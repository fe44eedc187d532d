"""The workbench's routers, one per concern: static files, the session (login,
logout, password), the queue, items, documents (pages, the signed PDF),
corrections (approvals), escalations, records, batches, users."""
