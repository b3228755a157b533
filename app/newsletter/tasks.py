"""The newsletter jobs: send an issue (one run); every minute, resume sends whose worker
died and forget visitors who never confirmed their subscription.

Routes enqueue `send_issue_task` with the run id that app.newsletter.campaign gave the
send; the periodic `newsletter_housekeeping` enqueues the runs that recovery starts.
"""

from huey import crontab

from app.jobs import app_task, periodic_app_task
from app.newsletter import campaign, delivery, service


@app_task()
def send_issue_task(issue_id, run_id):
    """One delivery run (does nothing if `run_id` is no longer the issue's run)."""
    return delivery.run(issue_id, run_id)


@periodic_app_task(crontab(minute="*"))
def newsletter_housekeeping():
    runs = campaign.recover_stalled()
    for issue_id, run_id in runs:
        send_issue_task(issue_id, run_id)
    return {"resumed": len(runs), "purged": service.purge_unconfirmed()}
