"""The registry in another system's SQL database: read through a mapping (mapping.py, pull.py),
approved corrections pushed back through an outbox (outbox.py)."""
