"""Videos: the master file, its texts in each language, its renditions and tags."""

from fractions import Fraction

from app.clock import utcnow
from app.extensions import db
from app.media.info import MediaInfo
from app.media.master_clock import MasterClock, video_clock

video_tags = db.Table(
    "video_tags",
    db.Column(
        "video_id", db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    ),
    db.Column("tag_id", db.Integer, db.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # The category filter goes from a tag to its videos: the primary key starts with video_id.
    db.Index("ix_video_tags_tag_id", "tag_id"),
)


class Video(db.Model):
    __tablename__ = "videos"
    # Files live under MEDIA_ROOT/videos/<id>/ and an ingest job may outlive its row:
    # SQLite must never give a deleted video's id to a new one (PostgreSQL never does).
    __table_args__ = {"sqlite_autoincrement": True}
    STATUSES = ("uploading", "queued", "processing", "ready", "failed")

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), nullable=False, default="video")
    status = db.Column(db.String(16), nullable=False, default="queued", index=True)
    progress = db.Column(db.Float, nullable=False, default=0.0)
    error = db.Column(db.Text)  # why the last ingest failed, in English (logs, CLI)
    # ... as app.media.errors' code and parameters, shown to staff in their language
    error_code = db.Column(db.String(40))
    error_params = db.Column(db.JSON)
    published = db.Column(db.Boolean, nullable=False, default=False)
    published_at = db.Column(db.DateTime, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))

    recorded_on = db.Column(db.Date, index=True)
    credit = db.Column(db.String(300), nullable=False, default="")

    # The master, kept byte for byte under MEDIA_ROOT.
    master_path = db.Column(db.String(500))  # relative to MEDIA_ROOT
    original_filename = db.Column(db.String(300), nullable=False, default="")
    master_size = db.Column(db.BigInteger)
    media_info = db.Column(db.JSON)  # app.media.probe.MediaInfo.to_dict()
    duration = db.Column(db.Float)  # seconds
    fps_num = db.Column(db.Integer)
    fps_den = db.Column(db.Integer)
    frame_count = db.Column(db.Integer)
    width = db.Column(db.Integer)
    height = db.Column(db.Integer)
    start_timecode = db.Column(db.String(16))
    poster_path = db.Column(db.String(500))
    thumbs_path = db.Column(db.String(500))  # the sprite; its WebVTT index sits beside it

    texts = db.relationship(
        "VideoText", back_populates="video", cascade="all, delete-orphan", lazy="selectin"
    )
    renditions = db.relationship(
        "Rendition", back_populates="video", cascade="all, delete-orphan", lazy="selectin"
    )
    tags = db.relationship("Tag", secondary=video_tags, lazy="selectin", back_populates="videos")
    captions = db.relationship(
        "Caption",
        back_populates="video",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Caption.lang",
    )
    audio_labels = db.relationship(
        "AudioLabel", back_populates="video", cascade="all, delete-orphan", passive_deletes=True
    )

    def text(self, lang):
        """The texts in `lang`, else in any other language that has a title."""
        by_lang = {t.lang: t for t in self.texts}
        if lang in by_lang and by_lang[lang].title:
            return by_lang[lang]
        for t in self.texts:
            if t.title:
                return t
        return by_lang.get(lang)

    def _localised(self, name, lang):
        """The texts' `name` in `lang`, else in any other language that has one: a page
        in English shows the French place rather than none."""
        own = next((getattr(t, name) for t in self.texts if t.lang == lang), "")
        return own or next((getattr(t, name) for t in self.texts if getattr(t, name)), "")

    def place(self, lang) -> str:
        """Where the pictures were taken, as written in `lang` ("Brussels, Belgium")."""
        return self._localised("location", lang)

    def terms(self, lang) -> str:
        """The video's own usage terms in `lang` (the site's terms apply besides)."""
        return self._localised("usage_terms", lang)

    @property
    def frame_rate(self) -> Fraction | None:
        if not self.fps_num or not self.fps_den:
            return None
        return Fraction(self.fps_num, self.fps_den)

    @property
    def master_start_timecode(self) -> str | None:
        """The master's start timecode as the probe read it (the row's copy for older
        probes): the one timecode people see, type, and find stamped in their clips."""
        return (self.media_info or {}).get("start_timecode") or self.start_timecode or None

    def probe_info(self) -> MediaInfo | None:
        """What the probe stored about the master, or None (not probed yet, or a partial
        record from an older probe: readers then use the row's own columns)."""
        if not self.media_info:
            return None
        try:
            return MediaInfo.from_dict(self.media_info)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None

    def clock(self) -> MasterClock | None:
        """The master's timecode clock; None while its frame rate is unknown."""
        rate = self.frame_rate
        return video_clock(rate, self.master_start_timecode) if rate else None

    def __repr__(self):
        return f"<Video {self.id} {self.slug}>"


class VideoText(db.Model):
    """Texts of a video in one language: a third language is a row, not a migration."""

    __tablename__ = "video_texts"

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    lang = db.Column(db.String(5), nullable=False)
    title = db.Column(db.String(300), nullable=False, default="")
    summary = db.Column(db.Text, nullable=False, default="")
    story = db.Column(db.Text, nullable=False, default="")
    shot_list = db.Column(
        db.Text, nullable=False, default=""
    )  # one shot per line: "TC description"
    location = db.Column(db.String(200), nullable=False, default="", server_default="")
    usage_terms = db.Column(db.Text, nullable=False, default="", server_default="")
    # The words of this language's captions (app/captions/service.py keeps them), searched
    # with the rest of the texts.
    captions = db.Column(db.Text, nullable=False, default="", server_default="")

    video = db.relationship("Video", back_populates="texts")

    __table_args__ = (db.UniqueConstraint("video_id", "lang", name="uq_video_texts_video_lang"),)


class Rendition(db.Model):
    __tablename__ = "renditions"

    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    name = db.Column(db.String(32), nullable=False)  # a name from config RENDITIONS
    path = db.Column(db.String(500), nullable=False)  # relative to MEDIA_ROOT
    size = db.Column(db.BigInteger, nullable=False, default=0)
    width = db.Column(db.Integer)
    height = db.Column(db.Integer)
    bit_rate = db.Column(db.Integer)

    video = db.relationship("Video", back_populates="renditions")

    __table_args__ = (db.UniqueConstraint("video_id", "name", name="uq_renditions_video_name"),)


class Tag(db.Model):
    __tablename__ = "tags"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), nullable=False, unique=True)

    videos = db.relationship("Video", secondary=video_tags, back_populates="tags")
    names = db.relationship(
        "TagName", back_populates="tag", cascade="all, delete-orphan", lazy="selectin"
    )

    def label(self, lang) -> str:
        """The category as written in `lang` ("defence"); its key (`name`, the one in
        URLs and filters) when staff gave it no name in that language."""
        return next((n.name for n in self.names if n.lang == lang and n.name), self.name)


class TagName(db.Model):
    """A category's name in one language: "défense" is "defence" on English pages."""

    __tablename__ = "tag_names"

    id = db.Column(db.Integer, primary_key=True)
    tag_id = db.Column(db.Integer, db.ForeignKey("tags.id", ondelete="CASCADE"), nullable=False)
    lang = db.Column(db.String(5), nullable=False)
    name = db.Column(db.String(80), nullable=False)

    tag = db.relationship("Tag", back_populates="names")

    __table_args__ = (db.UniqueConstraint("tag_id", "lang", name="uq_tag_names_tag_lang"),)
