"""Subscriptions: the one place that changes who receives the newsletter.

- Accounts subscribe at once (`subscribe_user`): their address is verified already.
- Visitors ask (`request_subscription`), receive a signed, expiring link, and become
  active only when they confirm it (`confirm_subscription`): double opt-in.
- Every subscriber has one signed unsubscribe token (no expiry) that works without login.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.clock import utcnow
from app.extensions import db
from app.links import external_url
from app.mailer import MailError, send_mail
from app.models import Subscriber, User
from app.security import unsubscribe as unsubscribe_links

CONFIRM_SALT = "rushes.newsletter.confirm"
UNSUBSCRIBE_SALT = "rushes.newsletter.unsubscribe"


class InvalidLink(Exception):
    """A confirmation or unsubscribe link that was tampered with or is unknown."""


class ExpiredLink(InvalidLink):
    """A confirmation link older than NEWSLETTER_CONFIRM_MAX_AGE (or used up)."""

    def __init__(self, email=None, language=None):
        super().__init__("expired")
        self.email = email
        self.language = language


def normalise_email(email):
    return User.normalise_email(email)


def subscriber_by_email(email):
    return db.session.execute(
        db.select(Subscriber).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()


# ---------------------------------------------------------------- accounts


def subscribe_user(user):
    """Subscribe an account at once: its address is verified already."""
    subscriber = user.subscription or subscriber_by_email(user.email)
    if subscriber is None:
        subscriber = Subscriber(email=user.email)
        db.session.add(subscriber)
    subscriber.user = user
    subscriber.language = user.language
    if subscriber.status != "active":
        subscriber.status = "active"
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
    db.session.commit()
    return subscriber


def unsubscribe(subscriber):
    """Immediate and idempotent."""
    if subscriber.status != "unsubscribed":
        subscriber.status = "unsubscribed"
        subscriber.unsubscribed_at = utcnow()
        db.session.commit()
    return subscriber


def is_subscribed(user):
    subscriber = user.subscription or subscriber_by_email(user.email)
    return bool(subscriber and subscriber.is_active)


def unsubscribe_user(user):
    subscriber = user.subscription or subscriber_by_email(user.email)
    if subscriber is not None:
        unsubscribe(subscriber)
    return subscriber


# ---------------------------------------------------------------- double opt-in


def _confirm_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def make_confirm_token(email, language):
    return _confirm_serializer().dumps({"e": normalise_email(email), "l": language})


def request_subscription(email, language):
    """A visitor asks to subscribe: mail them a confirmation link.

    The caller answers the same whatever happens here, so that the answer never tells
    whether the address was subscribed. Repeated requests for one address within
    NEWSLETTER_CONFIRM_RESEND_SECONDS send nothing more (no mail bombing).
    Returns True when a mail was sent (for tests and logs only).
    """
    email = normalise_email(email)
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["LANGUAGES"][0]
    subscriber = subscriber_by_email(email)
    now = utcnow()
    interval = timedelta(seconds=current_app.config["NEWSLETTER_CONFIRM_RESEND_SECONDS"])
    if (
        subscriber is not None
        and subscriber.confirm_sent_at
        and (now - subscriber.confirm_sent_at < interval)
    ):
        return False
    if subscriber is None:
        # Not active until confirmed; pending rows that are never confirmed are purged.
        subscriber = Subscriber(email=email, language=language, status="pending")
        db.session.add(subscriber)
    subscriber.confirm_sent_at = now
    db.session.commit()
    url = external_url("newsletter.confirm", token=make_confirm_token(email, language))
    try:
        send_mail(
            email,
            "newsletter_confirm",
            language,
            _l("Confirm your subscription to the newsletter"),
            confirm_url=url,
            max_age_days=max(1, current_app.config["NEWSLETTER_CONFIRM_MAX_AGE"] // 86400),
        )
    except MailError:
        # Allow another try at once rather than after the resend interval.
        subscriber.confirm_sent_at = None
        db.session.commit()
        raise
    return True


def read_confirm_token(token):
    """(email, language) from a confirmation token; raises InvalidLink / ExpiredLink."""
    serializer = _confirm_serializer()
    max_age = current_app.config["NEWSLETTER_CONFIRM_MAX_AGE"]
    try:
        data, signed_at = serializer.loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as exc:
        data = _payload(exc.payload, serializer)
        raise ExpiredLink(data.get("e"), data.get("l")) from exc
    except BadSignature as exc:
        raise InvalidLink("bad signature") from exc
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise InvalidLink("bad payload")
    # The app clock may be moved by tests: check the age against it as well.
    signed_at = signed_at.replace(tzinfo=None)
    if utcnow() - signed_at > timedelta(seconds=max_age):
        raise ExpiredLink(data["e"], data.get("l"))
    language = data.get("l")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["LANGUAGES"][0]
    return data["e"], language, signed_at


def _payload(raw, serializer):
    try:
        data = serializer.load_payload(raw) if raw is not None else {}
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def confirm_subscription(token):
    """Activate the subscription named by a confirmation token. Idempotent.

    A link signed before the address last unsubscribed is spent: unsubscribing wins
    over an old confirmation mail."""
    email, language, signed_at = read_confirm_token(token)
    subscriber = subscriber_by_email(email)
    if subscriber is None:
        subscriber = Subscriber(email=email, language=language, status="pending")
        db.session.add(subscriber)
    elif subscriber.unsubscribed_at and signed_at < subscriber.unsubscribed_at.replace(
        microsecond=0
    ):
        raise ExpiredLink(email, language)
    subscriber.language = language
    if subscriber.status != "active":
        subscriber.status = "active"
        subscriber.confirmed_at = utcnow()
        subscriber.unsubscribed_at = None
    if subscriber.user_id is None:
        account = User.by_email(email)
        if account is not None and account.subscription is None:
            subscriber.user = account
    db.session.commit()
    return subscriber


def purge_unconfirmed():
    """Forget visitors who never confirmed within the link's lifetime. Returns the count."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["NEWSLETTER_CONFIRM_MAX_AGE"])
    result = db.session.execute(
        db.delete(Subscriber).where(
            Subscriber.status == "pending",
            Subscriber.user_id.is_(None),
            Subscriber.created_at < cutoff,
            (Subscriber.confirm_sent_at.is_(None)) | (Subscriber.confirm_sent_at < cutoff),
        )
    )
    db.session.commit()
    return result.rowcount


# ---------------------------------------------------------------- unsubscribe links


def unsubscribe_token(subscriber):
    """One token per subscriber, no expiry: links in old newsletters keep working."""
    return unsubscribe_links.make_token(UNSUBSCRIBE_SALT, [subscriber.id, subscriber.email])


def subscriber_from_unsubscribe_token(token):
    try:
        sid, email = unsubscribe_links.read_token(UNSUBSCRIBE_SALT, token, 2)
    except unsubscribe_links.InvalidToken as exc:
        raise InvalidLink("bad unsubscribe token") from exc
    subscriber = db.session.get(Subscriber, sid)
    if subscriber is None or subscriber.email != email:
        return None  # deleted since: nothing to unsubscribe, which is what they want
    return subscriber


def unsubscribe_url(subscriber):
    return external_url("newsletter.unsubscribe", token=unsubscribe_token(subscriber))


def unsubscribe_url_maker():
    """A function (subscriber id, address) → the unsubscribe URL, for a whole send: the
    URL's path is built once; only the signed token changes."""
    serializer = unsubscribe_links.serializer(UNSUBSCRIBE_SALT)
    marker = "TOKEN-MARKER"
    prefix = external_url("newsletter.unsubscribe", token=marker)[: -len(marker)]

    def url(subscriber_id, email):
        return prefix + serializer.dumps([subscriber_id, email])

    return url
