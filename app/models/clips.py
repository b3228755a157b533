"""Partial downloads: a clip is cut once per (video, in, out) and shared by requests."""

from app.clock import utcnow
from app.extensions import db


class Clip(db.Model):
    __tablename__ = "clips"
    STATUSES = ("queued", "running", "done", "failed")

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    in_frame = db.Column(db.Integer, nullable=False)
    out_frame = db.Column(db.Integer, nullable=False)  # exclusive
    status = db.Column(db.String(16), nullable=False, default="queued")
    progress = db.Column(db.Float, nullable=False, default=0.0)
    path = db.Column(db.String(500))  # relative to MEDIA_ROOT, set once the file is in place
    size = db.Column(db.BigInteger)
    error = db.Column(db.Text)
    report = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    video = db.relationship("Video")

    __table_args__ = (
        db.UniqueConstraint("video_id", "in_frame", "out_frame", name="uq_clips_selection"),
    )


class ClipRequest(db.Model):
    """A user's request for a clip: what they see listed under the video."""

    __tablename__ = "clip_requests"

    id = db.Column(db.Integer, primary_key=True)
    clip_id = db.Column(db.Integer, db.ForeignKey("clips.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    clip = db.relationship("Clip")
    user = db.relationship("User")
