"""The download log: every full download and every clip download."""

from app.clock import utcnow
from app.extensions import db


class Download(db.Model):
    __tablename__ = "downloads"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="SET NULL"), index=True)
    rendition = db.Column(db.String(32), nullable=False)  # "master", a rendition name, or "clip"
    clip_id = db.Column(db.Integer, db.ForeignKey("clips.id", ondelete="SET NULL"))
    in_frame = db.Column(db.Integer)
    out_frame = db.Column(db.Integer)
    range_header = db.Column(db.String(200))
    bytes_sent = db.Column(db.BigInteger, nullable=False, default=0)
    client_address = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    user = db.relationship("User")
    video = db.relationship("Video")
