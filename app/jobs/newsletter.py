"""Newsletter jobs: send an issue (one run); every minute, resume sends whose worker died
and forget visitors who never confirmed their subscription."""

from huey import crontab

from app.extensions import huey
from app.jobs import app_task


@app_task()
def send_issue_task(issue_id, run_id):
    from app.newsletter import sender

    return sender.run(issue_id, run_id)


@huey.periodic_task(crontab(minute="*"))
def newsletter_housekeeping():
    from app import jobs
    from app.newsletter import sender, service

    if jobs._app is None:
        return None
    with jobs._app.app_context():
        return {"resumed": sender.recover_stalled(), "purged": service.purge_unconfirmed()}
