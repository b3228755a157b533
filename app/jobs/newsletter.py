"""Newsletter jobs: send an issue (one run), and resume sends whose worker died."""

from huey import crontab

from app.extensions import huey
from app.jobs import app_task


@app_task()
def send_issue_task(issue_id, run_id):
    from app.newsletter import sender

    return sender.run(issue_id, run_id)


@huey.periodic_task(crontab(minute="*"))
def recover_stalled_newsletters():
    from app import jobs
    from app.newsletter import sender

    if jobs._app is None:
        return 0
    with jobs._app.app_context():
        return sender.recover_stalled()
