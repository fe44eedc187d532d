"""The service API for other systems: FastAPI app, API tokens, masking (see app.py)."""
from sohoa.api.app import create_app

__all__ = ["create_app"]
