"""Devices an account has logged in from (OWASP's "device cookies").

Failed log-ins are limited per account, and anyone can fill that limit with wrong
guesses. A browser that logged in to the account before (or finished a password reset
for it) holds a signed cookie naming the account and a random device id; its attempts
are counted against that device instead, so the owner logs in while an attacker is
locked out. See docs/accounts.md.
"""

import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "rushes_device"
MAX_AGE = 365 * 24 * 3600


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def remember(user):
    """Give this browser a device cookie for `user`, with the answer to this request."""
    token = _serializer().dumps({"u": user.id, "d": secrets.token_urlsafe(12)})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE,
            token,
            max_age=MAX_AGE,
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
        )
        return response


def _cookie_data():
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def known_user_id():
    """The id of the account this browser last logged in to, or None."""
    data = _cookie_data()
    user_id = data.get("u") if data else None
    return user_id if isinstance(user_id, int) else None


def device_of(user):
    """This browser's device id for `user`, or None if it never logged in to that account."""
    data = _cookie_data() if user is not None else None
    if data is None or data.get("u") != user.id:
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None
