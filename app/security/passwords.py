"""Password policy and hashing (argon2id, rehashed on login when parameters change).

The policy: at least 12 characters (at most 128), no spaces, upper- and lower-case
letters, digits and symbols; not a commonly used password; not containing the name
part of the user's e-mail address.
"""

import functools
import gzip
import os
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128


@functools.cache
def _hasher_with(time_cost, memory_cost, parallelism):
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher():
    # The parameters come from the config (PASSWORD_HASH_*): argon2-cffi's defaults,
    # RFC 9106's second recommended option, everywhere but in the tests, which use cheap
    # ones so that hundreds of sign-ups do not take minutes.
    config = current_app.config
    return _hasher_with(
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_KIB"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


# Each rule: a key (used by the live checklist in static/js/password.js) and its message.
RULES = {
    "length": _l("At least 12 characters"),
    "spaces": _l("No spaces"),
    "upper": _l("An upper-case letter"),
    "lower": _l("A lower-case letter"),
    "digit": _l("A digit"),
    "symbol": _l("A symbol"),
}

MESSAGES = {
    "length": _l("The password must have at least 12 characters."),
    "too_long": _l("The password must have at most 128 characters."),
    "spaces": _l("The password must not contain spaces."),
    "upper": _l("The password must include an upper-case letter."),
    "lower": _l("The password must include a lower-case letter."),
    "digit": _l("The password must include a digit."),
    "symbol": _l("The password must include a symbol."),
    "common": _l("This password is too common: it appears in lists of leaked passwords."),
    "email": _l("The password must not contain your e-mail name."),
}


@functools.cache
def _common_passwords():
    path = os.path.join(os.path.dirname(__file__), "common-passwords.txt.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def _is_common(password):
    lowered = password.lower()
    # "Sunshine2026!" is "sunshine" plus the decoration every cracking tool tries first.
    core = lowered.strip(string.digits + string.punctuation + " ")
    common = _common_passwords()
    return lowered in common or (len(core) >= 6 and core in common)


def broken_rules(password, email=None):
    """The keys of every rule `password` breaks, in a stable order."""
    password = password or ""
    broken = []
    if len(password) < MIN_LENGTH:
        broken.append("length")
    if len(password) > MAX_LENGTH:
        broken.append("too_long")
    if any(c.isspace() for c in password):
        broken.append("spaces")
    if not any(c.isupper() for c in password):
        broken.append("upper")
    if not any(c.islower() for c in password):
        broken.append("lower")
    if not any(c.isdigit() for c in password):
        broken.append("digit")
    if not any(not c.isalnum() and not c.isspace() for c in password):
        broken.append("symbol")
    if password and _is_common(password):
        broken.append("common")
    local = (email or "").split("@", 1)[0].strip().lower()
    if len(local) >= 3 and local in password.lower():
        broken.append("email")
    return broken


def policy_errors(password, email=None):
    """Translated messages, one per broken rule."""
    return [MESSAGES[key] for key in broken_rules(password, email)]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """(matches, new_hash): new_hash is set when the stored hash should be upgraded."""
    hasher = _hasher()
    try:
        hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(password_hash):
        return True, hasher.hash(password)
    return True, None


def dummy_hash():
    # Verified against when no account exists, so that a login for an unknown
    # address takes as long as one for a real account.
    return _dummy_hash_for(_hasher())


@functools.cache
def _dummy_hash_for(hasher):
    return hasher.hash("not-a-real-password-Zz9!")
