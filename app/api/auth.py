"""Bearer tokens on API requests: who is asking, JSON errors, the per-token rate limit.

``Authorization: Bearer rsh_…`` is the only credential the API reads: no session cookie,
so no CSRF. Every view of the API blueprint needs a valid token except the OpenAPI
document, which is public.
"""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from app.api import tokens
from app.errors import MESSAGES

PUBLIC_ENDPOINTS = {"api.openapi_document", "api.unknown"}


def json_error(status, message, **extra):
    response = jsonify({"error": str(message), "status": status, **extra})
    response.status_code = status
    return response


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


_ENVIRON_KEY = "rushes.api_token"


def request_token():
    """The active ApiToken row of this request (kept in its WSGI environ), else None."""
    environ = request.environ
    if _ENVIRON_KEY not in environ:
        environ[_ENVIRON_KEY] = tokens.token_row(bearer_token())
    return environ[_ENVIRON_KEY]


def api_user():
    row = request_token()
    return row.user if row is not None else None


def rate_key() -> str:
    """Flask-Limiter key: the token (hashed) when one is given, else the client address."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    return "api-ip:" + (get_remote_address() or "")


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


def unauthorised():
    response = json_error(
        401,
        _("This API needs a valid token: send it as “Authorization: Bearer <token>”."),
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="rushes-api"'
    return response


def require_token():
    """before_request of the API: 401 JSON without a valid token."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    row = request_token()
    if row is None:
        return unauthorised()
    tokens.mark_used(row)
    return None


def http_error(exc: HTTPException):
    """Every HTTP error of the API as JSON with a sentence, in the client's language."""
    code = exc.code or 500
    title_message = MESSAGES.get(code)
    message = exc.description if code == 429 else None
    if title_message and not message:
        message = title_message[1]
    response = json_error(code, message or exc.name)
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rushes-api"'
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
