"""The service API and the verifier workbench in one server (`sohoa serve`).

`uvicorn --factory sohoa.servers:app_factory` builds it from the settings
(environment / sohoa.toml), as `sohoa serve --workers N` runs it in each worker.
Paths under /ui go to the workbench (ui/app.py), everything else to the API.
Behind TLS (`--secure-cookies`, setting secure_cookies) cookies are marked Secure and every
answer carries Strict-Transport-Security.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sohoa.api.app import create_app
from sohoa.core.config import Settings, load_settings
from sohoa.core.logs import configure_logging

UI_PREFIX = "/ui"


def with_workbench(api_app: ASGIApp, ui_app: ASGIApp) -> ASGIApp:
    """One ASGI app: /ui and /ui/... to the workbench, the rest (and lifespan) to the API.
    Each keeps its own middleware: the API's token checks, the workbench's sessions, CSRF and CSP."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and (path == UI_PREFIX or path.startswith(UI_PREFIX + "/")):
            await ui_app(scope, receive, send)
        else:
            await api_app(scope, receive, send)

    return app


def with_hsts(app: ASGIApp, max_age: int) -> ASGIApp:
    """Every HTTP answer tells the browser to use HTTPS only (RFC 6797), for `max_age` seconds."""
    value = f"max-age={max(0, max_age)}; includeSubDomains".encode()

    async def hsts(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"strict-transport-security"]
                message["headers"] = [*headers, (b"strict-transport-security", value)]
            await send(message)

        await app(scope, receive, send_with_hsts)

    return hsts


def build_service(settings: Settings, secure_cookies: bool = False) -> ASGIApp:
    from sohoa.runtime import build_runtime
    from sohoa.ui.app import create_ui_app

    secure = secure_cookies or settings.secure_cookies
    service = with_workbench(create_app(build_runtime(settings, need_signer=False, actor="api")),
                             create_ui_app(build_runtime(settings, need_signer=False, actor="ui"),
                                           secure_cookies=secure))
    return with_hsts(service, settings.hsts_seconds) if secure else service


def app_factory() -> ASGIApp:
    settings = load_settings()
    configure_logging(settings.home / "logs")
    return build_service(settings)
