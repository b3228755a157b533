"""Partial downloads: a clip is cut once per (video, in, out, audio) and shared by requests.

`Clip` is the cached file (one row per selection, unique on video/in/out/audio, so identical
concurrent requests share one row and one job). `ClipRequest` is one user's request for
it: its id is what the API hands out, and what ownership is checked against.
"""

from app.clock import utcnow
from app.extensions import db


class Clip(db.Model):
    __tablename__ = "clips"
    # "evicted": the file was removed by the cache's LRU eviction; the next request or
    # status poll cuts it again (the API reports it as "queued" once re-enqueued).
    STATUSES = ("queued", "running", "done", "failed", "evicted")

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    in_frame = db.Column(db.Integer, nullable=False)
    out_frame = db.Column(db.Integer, nullable=False)  # exclusive
    # The audio tracks it carries, canonical (app.media.audio_tracks.canonical): "" for
    # every track of the master, else their keys in the master's order ("2", "1:1-2,1:5-6").
    audio = db.Column(db.String(200), nullable=False, default="", server_default="")
    status = db.Column(db.String(16), nullable=False, default="queued", index=True)
    progress = db.Column(db.Float, nullable=False, default=0.0)
    path = db.Column(db.String(500))  # relative to MEDIA_ROOT, set once the file is in place
    size = db.Column(db.BigInteger)
    error = db.Column(db.Text)
    report = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    # Job bookkeeping: which run owns the row, when it last showed signs of life, how
    # many runs were started. A run whose heartbeat is older than CLIP_STALE_SECONDS
    # was killed: the sweep hands the clip to a new run.
    attempts = db.Column(db.Integer, nullable=False, default=0)
    run_token = db.Column(db.String(32))
    queued_at = db.Column(db.DateTime, default=utcnow)
    started_at = db.Column(db.DateTime)
    heartbeat_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)

    video = db.relationship("Video")
    requests = db.relationship(
        "ClipRequest", back_populates="clip", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        db.UniqueConstraint(
            "video_id", "in_frame", "out_frame", "audio", name="uq_clips_selection_audio"
        ),
    )

    @property
    def frames(self):
        return self.out_frame - self.in_frame

    def __repr__(self):
        return (
            f"<Clip {self.id} video={self.video_id} [{self.in_frame},{self.out_frame})"
            f" audio={self.audio or 'all'} {self.status}>"
        )


class ClipRequest(db.Model):
    """A user's request for a clip: what they see listed under the video."""

    __tablename__ = "clip_requests"

    id = db.Column(db.Integer, primary_key=True)
    clip_id = db.Column(db.Integer, db.ForeignKey("clips.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    clip = db.relationship("Clip", back_populates="requests")
    user = db.relationship("User")

    __table_args__ = (
        db.UniqueConstraint("clip_id", "user_id", name="uq_clip_requests_clip_user"),
        db.Index("ix_clip_requests_user_created", "user_id", "created_at"),
    )
