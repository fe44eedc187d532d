"""The API's FastAPI dependencies: the runtime (app.state.runtime) and the
token check with its scopes (401 when the token is missing, unknown, revoked
or expired; 403 when it lacks a scope; `admin` holds every scope)."""
from __future__ import annotations

from typing import Annotated, Callable

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sohoa.api.audit import audit_context
from sohoa.api.tokens import TokenInfo, lookup
from sohoa.core.runtime import Runtime

bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="An API token: `Authorization: Bearer sohoa_…`")


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
TokenCheck = Callable[[Request, HTTPAuthorizationCredentials | None, Runtime], TokenInfo]


def require(*scopes: str) -> TokenCheck:
    """A dependency: the caller's token, which must hold every one of `scopes`."""

    def dependency(request: Request, creds: HTTPAuthorizationCredentials | None = Security(bearer),
                   rt: Runtime = Depends(get_runtime)) -> TokenInfo:
        ctx = audit_context(request)
        with rt.catalogue.session() as s:
            info, refused = lookup(s, creds.credentials if creds else None)
        if info is not None:
            ctx["account"] = info.name
        if refused or info is None:
            ctx["detail"] = {"reason": f"token {refused}"}
            raise HTTPException(401, "missing, unknown, revoked or expired token",
                                headers={"WWW-Authenticate": 'Bearer realm="sohoa"'})
        missing = [sc for sc in scopes if not info.has(sc)]
        if missing:
            ctx["detail"] = {"reason": "scope", "needs": missing}
            raise HTTPException(403, f"this token lacks the scope {', '.join(missing)}",
                                headers={"WWW-Authenticate": f'Bearer scope="{" ".join(scopes)}"'})
        return info

    return dependency


Reader = Annotated[TokenInfo, Depends(require("read"))]
PersonalReader = Annotated[TokenInfo, Depends(require("read", "read_personal"))]
Admin = Annotated[TokenInfo, Depends(require("admin"))]
