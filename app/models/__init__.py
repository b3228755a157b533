"""Database models, one module per area."""

from app.models.clips import Clip, ClipRequest
from app.models.downloads import Download
from app.models.newsletter import Subscriber
from app.models.users import OneTimeCode, User
from app.models.videos import Rendition, Tag, Video, VideoText

__all__ = [
    "Clip",
    "ClipRequest",
    "Download",
    "OneTimeCode",
    "Rendition",
    "Subscriber",
    "Tag",
    "User",
    "Video",
    "VideoText",
]
