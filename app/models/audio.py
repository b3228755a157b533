"""Audio labels: what staff call each audio track of a video, in each language.

A track is an audio stream or a channel pair of one (app/media/audio_tracks.py names
them by key: "2", "1:3-4"); its label (« Son international », "French voice-over") is
shown on the technical sheet and where downloads offer a choice of tracks.
"""

from app.extensions import db


class AudioLabel(db.Model):
    __tablename__ = "audio_labels"

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    track = db.Column(db.String(16), nullable=False)  # a key of app.media.audio_tracks
    lang = db.Column(db.String(5), nullable=False)
    label = db.Column(db.String(120), nullable=False)

    video = db.relationship("Video", back_populates="audio_labels")

    __table_args__ = (
        db.UniqueConstraint("video_id", "track", "lang", name="uq_audio_labels_video_track_lang"),
    )
