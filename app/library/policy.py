"""Who may see and download what: the one access policy of the library.

Every area asks here: the library's pages and full downloads, the clip API, the admin
guard (through ``app.security.decorators.staff_required``) and the staff statistics.

* Seeing a video (its page, its player files, asking for a clip): published, or staff.
* Downloading anything (the original, a rendition, a clip): logged in, e-mail address
  verified, usage terms accepted. Staff follow the same rule: the terms bind the
  organisation's own people too when files leave the portal.
* The usage terms are accepted once, at sign-up; when staff publish a new version
  (`TermsVersion`), each user accepts it once more at their next download.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.clock import utcnow
from app.extensions import db
from app.models import TermsVersion, Video

# Ids are 32-bit signed integers in the database; anything outside is no row at all (and
# PostgreSQL would refuse the comparison instead of finding nothing).
MAX_ID = 2**31 - 1

LOGIN = "login"
VERIFY = "verify"
TERMS = "terms"


def _user(user):
    return current_user if user is None else user


def is_staff(user=None) -> bool:
    """True for a logged-in staff member (`user` defaults to the current visitor)."""
    user = _user(user)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def can_see(video, user=None) -> bool:
    """A visitor sees a published video; staff see every video."""
    return video is not None and (bool(video.published) or is_staff(user))


def visible_video(video_id) -> Video | None:
    """The video with this id if the current visitor may see it, else None."""
    if not isinstance(video_id, int) or not 1 <= video_id <= MAX_ID:
        return None
    video = db.session.get(Video, video_id)
    return video if can_see(video) else None


def visible_video_or_404(video_id) -> Video:
    video = visible_video(video_id)
    if video is None:
        abort(404)
    return video


def download_refusal(user=None) -> str | None:
    """Why `user` may not download files yet: "login", "verify", "terms"; None if they may.

    The same rule for the original, renditions and clips, and for staff.
    """
    user = _user(user)
    if user is None or not user.is_authenticated:
        return LOGIN
    if not user.is_verified:
        return VERIFY
    if not has_accepted_terms(user):
        return TERMS
    return None


def current_terms_since():
    """When the usage terms in force were published (None: the first version)."""
    return db.session.execute(db.select(db.func.max(TermsVersion.published_at))).scalar()


def has_accepted_terms(user=None) -> bool:
    """Whether `user` accepted the usage terms in force."""
    user = _user(user)
    accepted = getattr(user, "terms_accepted_at", None)
    if accepted is None:
        return False
    since = current_terms_since()
    return since is None or accepted >= since


def accept_terms(user=None):
    """`user` accepts the usage terms in force (the caller commits)."""
    _user(user).terms_accepted_at = utcnow()
