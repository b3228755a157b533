"""Every message of the account area has a French translation in the catalogue."""

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MINE = (
    "app/auth/",
    "app/account/",
    "app/security/",
    "templates/auth/",
    "templates/account/",
    "templates/mail/verify_code",
    "templates/mail/reset_code",
    "templates/mail/signup_attempt",
    "templates/mail/password_changed",
)


def test_account_messages_are_translated_into_french():
    with open(ROOT / "app/translations/fr/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh, locale="fr")
    missing = []
    for message in catalog:
        if not message.id or not any(loc.startswith(MINE) for loc, _ in message.locations):
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == []
    assert len([m for m in catalog if any(loc.startswith(MINE) for loc, _ in m.locations)]) > 80
