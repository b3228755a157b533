"""One-click unsubscribe links (RFC 8058): a signed token per recipient, no expiry, so
that the link in an old mail keeps working. The newsletter and the saved-search alerts
both sign theirs here, each under its own salt (a token of one never opens the other).
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


class InvalidToken(Exception):
    """A token that was tampered with, or signed for something else."""


def serializer(salt):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(salt, payload):
    return serializer(salt).dumps(payload)


def read_token(salt, token, size):
    """The list of `size` values signed in `token`; raises InvalidToken."""
    try:
        payload = serializer(salt).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidToken("bad unsubscribe token") from exc
    if not isinstance(payload, list) or len(payload) != size:
        raise InvalidToken("bad unsubscribe payload")
    return payload
