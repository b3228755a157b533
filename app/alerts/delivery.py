"""The alert mail of a saved search: its pending videos, each sent once.

A task claims the search's pending items (pending → sending, under a claim of its own: a
second task running at the same time claims nothing of them), mails them in one message
in the search's language, then marks them sent. If the mail server refuses, the claim is
released (sending → pending) and the task's retry, or the next digest, sends them. A
worker that dies between the message and the "sent" mark leaves its items "sending":
they are not sent again, as for the newsletter, a duplicate being the worse failure.

"immediate" searches are mailed as soon as a video matches; "daily" ones once a day, at
ALERT_DIGEST_HOUR (UTC): the digest of day D holds what matched before D at that hour.
"""

import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import ngettext

from app.alerts import service
from app.clock import utcnow
from app.extensions import db
from app.links import external_url
from app.mailer import MailError, mail_video, send_mail, unsubscribe_headers
from app.models import AlertItem, SavedSearch, Video


def digest_cutoff(now, hour):
    """The latest digest moment at or before `now`."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if now >= today else today - timedelta(days=1)


def due_digests(now=None):
    """Ids of the "daily" searches with videos that waited for the digest of today."""
    hour = min(max(int(current_app.config["ALERT_DIGEST_HOUR"]), 0), 23)
    cutoff = digest_cutoff(now or utcnow(), hour)
    return list(
        db.session.execute(
            db.select(AlertItem.saved_search_id)
            .join(SavedSearch, SavedSearch.id == AlertItem.saved_search_id)
            .where(
                SavedSearch.frequency == "daily",
                SavedSearch.alerts_on.is_(True),
                AlertItem.status == "pending",
                AlertItem.created_at < cutoff,
            )
            .distinct()
            .order_by(AlertItem.saved_search_id)
        ).scalars()
    )


def send_pending(search_id):
    """Mail the search's pending videos; returns how many. Raises MailError (the task
    retries) with the items pending again."""
    search = db.session.get(SavedSearch, search_id)
    if search is None or not search.alerts_on:
        return 0
    claim = uuid.uuid4().hex
    db.session.execute(
        db.update(AlertItem)
        .where(AlertItem.saved_search_id == search_id, AlertItem.status == "pending")
        .values(status="sending", claim=claim)
    )
    db.session.commit()
    videos = _claimed_videos(claim)
    if not videos:
        return 0
    try:
        _send(search, videos)
    except MailError:
        _set_claimed(claim, status="pending", claim=None)
        raise
    _set_claimed(claim, status="sent", sent_at=utcnow())
    return len(videos)


def _claimed_videos(claim):
    """The claimed items' videos still published, newest first; the others' items are
    dropped (a video published again later is a new match)."""
    rows = db.session.execute(
        db.select(AlertItem.id, Video)
        .join(Video, Video.id == AlertItem.video_id)
        .where(AlertItem.claim == claim)
        .order_by(Video.published_at.desc(), Video.id.desc())
    ).all()
    gone = [item_id for item_id, video in rows if not video.published]
    if gone:
        db.session.execute(db.delete(AlertItem).where(AlertItem.id.in_(gone)))
        db.session.commit()
    return [video for _item, video in rows if video.published]


def _set_claimed(claim_id, **values):
    db.session.execute(db.update(AlertItem).where(AlertItem.claim == claim_id).values(**values))
    db.session.commit()


def _send(search, videos):
    count = len(videos)
    name = search.name
    unsubscribe_url = service.unsubscribe_url(search)

    def subject():
        return ngettext(
            "A new video for your search “%(name)s”",
            "%(num)d new videos for your search “%(name)s”",
            count,
            name=name,
        )

    send_mail(
        search.user.email,
        "alert",
        search.language,
        subject,
        headers=unsubscribe_headers(unsubscribe_url),
        search_name=name,
        digest=search.frequency == "daily",
        videos=[mail_video(video, search.language) for video in videos],
        results_url=service.results_url(search),
        manage_url=external_url("account.index") + "#saved-searches",
        unsubscribe_url=unsubscribe_url,
    )
