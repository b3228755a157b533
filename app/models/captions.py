"""Captions: one WebVTT text per video and language, timed from the master's first frame.

The text is kept normalised (app/captions/cues.py wrote it), so players, downloads and
clip sidecars read one form; its words are copied into the video's texts of the same
language (VideoText.captions) for the library's full-text search.
"""

from app.clock import utcnow
from app.extensions import db


class Caption(db.Model):
    __tablename__ = "captions"

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    lang = db.Column(db.String(5), nullable=False)
    vtt = db.Column(db.Text, nullable=False)
    cue_count = db.Column(db.Integer, nullable=False, default=0)
    original_filename = db.Column(db.String(300), nullable=False, default="")
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    video = db.relationship("Video", back_populates="captions")

    __table_args__ = (db.UniqueConstraint("video_id", "lang", name="uq_captions_video_lang"),)
