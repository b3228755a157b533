"""Database models, one module per area."""

from app.models.alerts import AlertItem, SavedSearch
from app.models.api import ApiToken
from app.models.audio import AudioLabel
from app.models.baskets import Basket, BasketItem
from app.models.captions import Caption
from app.models.clips import Clip, ClipRequest
from app.models.downloads import Download
from app.models.newsletter import Subscriber
from app.models.terms import TermsVersion
from app.models.users import OneTimeCode, User
from app.models.videos import Rendition, Tag, TagName, Video, VideoText

__all__ = [
    "AlertItem",
    "ApiToken",
    "AudioLabel",
    "Basket",
    "BasketItem",
    "Caption",
    "Clip",
    "ClipRequest",
    "Download",
    "OneTimeCode",
    "Rendition",
    "SavedSearch",
    "Subscriber",
    "Tag",
    "TagName",
    "TermsVersion",
    "User",
    "Video",
    "VideoText",
]
