"""The alert jobs: a video was published; a saved search's mail; the daily digests.

Routes and the CLI call `video_published` after a publication (app/admin/service.publish
says whether one happened). Each mail is tried MAIL_RETRIES more times, MAIL_RETRY_DELAY
seconds apart, each try bounded by MAIL_TIMEOUT (app/mailer.py), like the account mails.
"""

from flask import current_app
from huey import crontab

from app.alerts import delivery, matching
from app.extensions import huey
from app.jobs import app_task, periodic_app_task


@app_task()
def video_published(video_id):
    """Record the video for the searches it matches; mail the "immediate" ones."""
    due = matching.match_published(video_id)
    for search_id in due:
        queue_alert_mail(search_id)
    return {"mailed_searches": len(due)}


@app_task()
def alert_mail(search_id):
    """Raises MailError when the server cannot take it: huey retries."""
    return delivery.send_pending(search_id)


def queue_alert_mail(search_id):
    config = current_app.config
    huey.enqueue(
        alert_mail.s(
            search_id, retries=config["MAIL_RETRIES"], retry_delay=config["MAIL_RETRY_DELAY"]
        )
    )


# Every quarter of an hour rather than once at the hour: a worker that was down at
# ALERT_DIGEST_HOUR sends the day's digests when it is back (each goes out once).
@periodic_app_task(crontab(minute="*/15"))
def alert_digests():
    due = delivery.due_digests()
    for search_id in due:
        queue_alert_mail(search_id)
    return {"digests": len(due)}
