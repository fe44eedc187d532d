"""What the service tests under tests/security/ share: the workbench over HTTP (FastAPI's
TestClient on the real app and the real catalogue), signing in, the audit events."""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sohoa.archive.catalogue import Catalogue  # noqa: E402
from sohoa.archive.models import AuditEvent  # noqa: E402
from sohoa.core.config import load_settings  # noqa: E402
from sohoa.ui import auth  # noqa: E402
from sohoa.ui.app import create_ui_app  # noqa: E402

PASSWORD = "correct horse battery"

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def ui_client(cat, tmp_path, **settings: str) -> TestClient:
    """The workbench on the catalogue `cat`, with settings (SOHOA_* names, lower case) as given."""
    env = {"SOHOA_HOME": str(tmp_path), **{f"SOHOA_{k.upper()}": v for k, v in settings.items()}}
    rt = SimpleNamespace(catalogue=cat, store=None, settings=load_settings(env=env))
    return TestClient(create_ui_app(rt), base_url="http://127.0.0.1")


def try_login(client: TestClient, name: str, password: str):
    token = CSRF_RE.search(client.get("/ui/login").text).group(1)
    return client.post("/ui/login", data={"csrf": token, "username": name, "password": password, "next": "/ui/"},
                       follow_redirects=False)


def csrf(client: TestClient, url: str) -> str:
    return CSRF_RE.search(client.get(url).text).group(1)


def events(cat, action: str) -> list[AuditEvent]:
    with cat.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def catalogue_with(url: str, **accounts: str) -> Catalogue:
    """The migrated catalogue at `url` with the accounts name=role (password PASSWORD, made by "test")."""
    cat = Catalogue(url)
    with cat.session() as s:
        for name, role in accounts.items():
            auth.create_user(s, name, role, PASSWORD, actor="test")
    return cat
