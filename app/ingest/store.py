"""Uploads in progress: two files each in UPLOAD_DIR.

``<id>`` holds the bytes received so far (its size *is* the offset) and ``<id>.json``
the upload's length, metadata, owner and times. A complete upload names the video it
became (``video_id``) until the ingest job has moved its bytes into the media store.
"""

import json
import os
import re
import secrets
import time
from datetime import datetime, timedelta

from flask import current_app

from app import storage
from app.clock import utcnow

ID_RE = re.compile(r"^[0-9a-f]{32}$")


class Upload:
    def __init__(self, upload_id, meta):
        self.id = upload_id
        self.meta = meta

    @property
    def data_path(self):
        return storage.uploads_dir() / self.id

    @property
    def meta_path(self):
        return storage.uploads_dir() / f"{self.id}.json"

    @property
    def length(self):
        return self.meta["length"]

    @property
    def offset(self):
        try:
            return self.data_path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def filename(self):
        return self.meta.get("metadata", {}).get("filename") or "upload"

    @property
    def title(self):
        return (self.meta.get("metadata", {}).get("title") or "").strip()

    def expires_at(self):
        last = datetime.fromisoformat(self.meta["touched_at"])
        return last + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])

    def save(self):
        tmp = self.meta_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.meta))
        os.replace(tmp, self.meta_path)

    def touch(self):
        self.meta["touched_at"] = utcnow().isoformat()
        self.save()

    def delete(self):
        for path in (self.data_path, self.meta_path):
            path.unlink(missing_ok=True)

    @classmethod
    def create(cls, length, metadata, user_id):
        upload_id = secrets.token_hex(16)
        now = utcnow().isoformat()
        upload = cls(
            upload_id,
            {
                "length": length,
                "metadata": metadata,
                "user_id": user_id,
                "created_at": now,
                "touched_at": now,
            },
        )
        upload.data_path.touch()
        upload.save()
        return upload

    @classmethod
    def load(cls, upload_id):
        if not ID_RE.match(upload_id or ""):
            return None
        path = storage.uploads_dir() / f"{upload_id}.json"
        try:
            meta = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return cls(upload_id, meta)

    @classmethod
    def all(cls):
        for path in storage.uploads_dir().glob("*.json"):
            upload = cls.load(path.stem)
            if upload is not None:
                yield upload


def remove_expired_uploads(now=None):
    """Delete uploads that have received nothing for UPLOAD_EXPIRY_HOURS.

    Returns the number removed. Called by a periodic job and `flask rushes cleanup-uploads`.
    Stray data files without metadata (a crash between the two writes) go too.
    """
    now = now or utcnow()
    removed = 0
    for upload in list(Upload.all()):
        if upload.meta.get("video_id"):
            continue  # complete, waiting for its ingest job to move it
        if upload.expires_at() <= now:
            upload.delete()
            removed += 1
    # Stray data files whose metadata never got written: judged by their own mtime.
    cutoff = time.time() - current_app.config["UPLOAD_EXPIRY_HOURS"] * 3600
    for path in storage.uploads_dir().iterdir():
        stray = ID_RE.match(path.name) and not path.with_suffix(".json").exists()
        if stray and path.stat().st_mtime <= cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def pending_source(video_id):
    """The completed upload still waiting to become the master of `video_id`, if any."""
    for upload in Upload.all():
        if upload.meta.get("video_id") == video_id and upload.data_path.exists():
            return upload
    return None


def forget_uploads_of(video_id):
    """Delete the uploads that became `video_id` (moved into place, or the video deleted)."""
    for upload in list(Upload.all()):
        if upload.meta.get("video_id") == video_id:
            upload.delete()
