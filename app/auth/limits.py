"""Rate limits of the account forms, and the size limit of their bodies."""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter
from app.models import User
from app.security import devices

# No account form needs more than a few kilobytes.
MAX_FORM_BYTES = 64 * 1024


def _account_key():
    """Per-account limit key: the normalised e-mail of the submitted form, or the device,
    when this browser logged in to that account before (app/security/devices.py)."""
    email = ""
    if request.form:
        email = request.form.get("email", "")
    elif request.is_json:
        data = request.get_json(silent=True)
        email = data.get("email", "") if isinstance(data, dict) else ""
    email = User.normalise_email(email if isinstance(email, str) else "")[:254]
    device = devices.device_of(User.by_email(email)) if email else None
    if device:
        return "device:" + device
    return "account:" + (email or "-")


def _failed(response):
    return bool(g.get("auth_failed"))


def record_failed_login():
    """Only failed log-ins count against the log-in limits."""
    g.auth_failed = True


def _config_value(name):
    return lambda: current_app.config[name]


_login_limits = [
    limiter.limit(
        _config_value("LOGIN_LIMIT_PER_ACCOUNT"),
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    ),
    limiter.limit(
        _config_value("LOGIN_LIMIT_PER_ADDRESS"),
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    ),
]

form_limit = limiter.limit(
    _config_value("FORM_LIMIT_PER_ADDRESS"), key_func=get_remote_address, methods=["POST"]
)


def login_limit(view):
    for decorate in reversed(_login_limits):
        view = decorate(view)
    return view
