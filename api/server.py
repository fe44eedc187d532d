"""`uvicorn --factory api.server:app_factory`: the app built from the settings
(environment / sohoa.toml), as `sohoa serve --workers N` runs it in each worker."""
from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from sohoa.config import load_settings
from sohoa.logs import configure_logging


def app_factory() -> FastAPI:
    from sohoa.runtime import build_runtime

    settings = load_settings()
    configure_logging(settings.home / "logs")
    return create_app(build_runtime(settings, need_signer=False, actor="api"))
