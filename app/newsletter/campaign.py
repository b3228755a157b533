"""An issue's send, as staff drive it: start, stop, resume, retry, progress, recovery of a
dead run, and the test mail to oneself.

Starting or resuming a send gives it a new run id; the caller (a route, or the periodic
task) then enqueues `send_issue_task(issue_id, run_id)` (app/newsletter/tasks.py), whose
run (app/newsletter/delivery.py) works only while the issue still carries its run id.

Issue states: draft → sending ⇄ stopping → paused → sending … → sent.
1. `start_send(issue)` (staff click) turns the draft into "sending" with a compare-and-set
   (a double click starts one send), and creates one Delivery row (pending) for every
   active subscriber in the same transaction.
2. Staff may stop (the run notices within a second or at the next message and the issue
   becomes "paused") and resume (a new run id; an older run that still lives notices and
   quits). `recover_stalled` (periodic) resumes a send whose run has stopped beating
   (worker killed or restarted).
"""

import secrets

from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.links import site_url
from app.models import Subscriber
from app.models.newsletter import Delivery, NewsletterIssue
from app.newsletter import service
from app.newsletter.message import MessageFactory
from app.newsletter.transport import Transport, keep_dev_mail


def new_run_id():
    return secrets.token_hex(8)


def active_subscriber_counts():
    rows = db.session.execute(
        db.select(Subscriber.language, db.func.count())
        .where(Subscriber.status == "active")
        .group_by(Subscriber.language)
    ).all()
    return {lang: count for lang, count in rows}


def start_send(issue):
    """draft → sending, one pending Delivery per active subscriber, committed together.
    Returns the run id to enqueue, or None if the issue is not a draft (a double click
    starts one send)."""
    run_id = new_run_id()
    now = utcnow()
    changed = db.session.execute(
        db.update(NewsletterIssue)
        .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "draft")
        .values(status="sending", started_at=now, run_id=run_id, heartbeat_at=now, last_error=None)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return None
    subscribers = Subscriber.__table__
    db.session.execute(
        db.insert(Delivery).from_select(
            ["issue_id", "subscriber_id", "email", "language", "status", "attempts"],
            db.select(
                db.literal(issue.id),
                subscribers.c.id,
                subscribers.c.email,
                subscribers.c.language,
                db.literal("pending"),
                db.literal(0),
            ).where(subscribers.c.status == "active"),
        )
    )
    db.session.commit()
    return run_id


def request_stop(issue):
    db.session.execute(
        db.update(NewsletterIssue)
        .where(NewsletterIssue.id == issue.id, NewsletterIssue.status == "sending")
        .values(status="stopping")
    )
    db.session.commit()


def is_stale(issue):
    if issue.heartbeat_at is None:
        return True
    age = (utcnow() - issue.heartbeat_at).total_seconds()
    return age > current_app.config["NEWSLETTER_STALE_SECONDS"]


def can_resume(issue):
    return issue.status == "paused" or (issue.status in ("sending", "stopping") and is_stale(issue))


def resume(issue, force=False):
    """A new run for a paused (or dead) send: returns its id to enqueue, or None if there
    is nothing to do."""
    if not (force or can_resume(issue)):
        return None
    run_id = new_run_id()
    changed = db.session.execute(
        db.update(NewsletterIssue)
        .where(
            NewsletterIssue.id == issue.id,
            NewsletterIssue.status.in_(("sending", "stopping", "paused", "sent")),
            NewsletterIssue.run_id.is_(None) | (NewsletterIssue.run_id == issue.run_id),
        )
        .values(status="sending", run_id=run_id, heartbeat_at=utcnow(), last_error=None)
    ).rowcount
    db.session.commit()
    return run_id if changed == 1 else None


def retry_failed(issue, include_unknown=False):
    """Failed rows (and, when asked, the uncertain ones) go back to pending. Returns the
    id of the new run to enqueue, or None when a live run picks the rows up (or none
    could start)."""
    statuses = ["failed", "unknown"] if include_unknown else ["failed"]
    db.session.execute(
        db.update(Delivery)
        .where(Delivery.issue_id == issue.id, Delivery.status.in_(statuses))
        .values(status="pending", error=None)
    )
    db.session.commit()
    db.session.refresh(issue)
    if issue.status in ("sent", "paused") or can_resume(issue):
        return resume(issue, force=True)
    return None  # a live run picks the rows up


def recover_stalled():
    """Resume sends whose run stopped beating (the worker was killed or restarted).
    Returns the (issue id, run id) of every run to enqueue."""
    runs = []
    issues = db.session.execute(
        db.select(NewsletterIssue).where(NewsletterIssue.status.in_(("sending", "stopping")))
    ).scalars()
    for issue in list(issues):
        if not is_stale(issue):
            continue
        if issue.status == "stopping":
            issue.status = "paused"
            db.session.commit()
            continue
        run_id = resume(issue)
        if run_id is not None:
            runs.append((issue.id, run_id))
    return runs


def progress(issue):
    rows = db.session.execute(
        db.select(Delivery.status, db.func.count())
        .where(Delivery.issue_id == issue.id)
        .group_by(Delivery.status)
    ).all()
    counts = {status: 0 for status in Delivery.STATUSES}
    counts.update({status: n for status, n in rows})
    total = sum(counts.values())
    return {
        "status": issue.status,
        "total": total,
        "sent": counts["sent"],
        "failed": counts["failed"],
        "unknown": counts["unknown"],
        "skipped": counts["skipped"],
        "remaining": counts["pending"] + counts["sending"],
        "done": counts["sent"] + counts["failed"] + counts["unknown"] + counts["skipped"],
        "last_error": issue.last_error,
        "stale": issue.status in ("sending", "stopping") and is_stale(issue),
    }


def send_test(issue, to, languages=None):
    """Send the issue to one address (staff checking it), in each language, marked [TEST].
    Runs inside the staff's request: every wait on the mail server has a timeout."""
    factory = MessageFactory(issue, subject_prefix="[TEST] ")
    subscriber = service.subscriber_by_email(to)
    unsubscribe_url = service.unsubscribe_url(subscriber) if subscriber else site_url("/newsletter")
    transport = Transport().open()
    try:
        for lang in languages or current_app.config["LANGUAGES"]:
            message_id = f"<newsletter-test.{issue.id}.{secrets.token_hex(8)}@{factory.domain}>"
            raw = factory.build(to, lang, unsubscribe_url, message_id)
            if transport.smtp is None:
                keep_dev_mail(
                    current_app._get_current_object(), to, factory.subject_text(lang), raw
                )
            else:
                transport.sendmail(factory.envelope_from, to, raw)
    finally:
        transport.close()
