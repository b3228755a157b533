"""The ingest jobs: thin, idempotent, retried (the work is in service.py)."""

import logging

from huey import crontab

from app.ingest import service, store
from app.jobs import app_task, periodic_app_task

log = logging.getLogger(__name__)


@app_task(retries=2, retry_delay=30)
def ingest_video(video_id, source=None):
    """Background ingest of one video (see service.run_ingest)."""
    service.run_ingest(video_id, source)


@periodic_app_task(crontab(minute="17"))
def remove_expired_uploads_task():
    """Hourly: delete uploads abandoned for UPLOAD_EXPIRY_HOURS."""
    removed = store.remove_expired_uploads()
    if removed:
        log.info("removed %s abandoned upload(s)", removed)
