"""The staff's rules on a video: when it may be published or retried, how it is deleted."""

from datetime import timedelta

from flask_babel import gettext as _

from app import storage
from app.clips.cache import delete_video_clips
from app.clock import utcnow
from app.extensions import db
from app.ingest.store import forget_uploads_of
from app.models import Clip, ClipRequest, Download, Tag, TagName
from app.stills.service import delete_video_stills

# A worker that died mid-way never reports back: no progress for this long is a stall.
STALLED_AFTER = timedelta(minutes=30)


def can_retry(video):
    """Failed, or queued/processing without any progress for STALLED_AFTER."""
    if video.status == "failed":
        return True
    return video.status in ("queued", "processing") and (
        video.updated_at is None or utcnow() - video.updated_at > STALLED_AFTER
    )


def publish_problem(video):
    """Why `video` cannot be published now (a sentence), or None."""
    if video.status != "ready":
        return _("This video cannot be published yet: its processing is not finished.")
    if not any(t.title.strip() for t in video.texts):
        return _("This video cannot be published without a title in at least one language.")
    return None


def publish(video):
    """Publish `video`; True when it was not published before: the caller then queues
    the saved-search alerts (app/alerts/tasks.video_published)."""
    newly = not video.published
    video.published = True
    video.published_at = video.published_at or utcnow()
    db.session.commit()
    return newly


def delete_video(video):
    """Remove a video's rows and files (master, derivatives, clips, stills, pending upload).

    The download log keeps its rows, with the video forgotten.
    """
    video_id = video.id
    clip_ids = db.select(Clip.id).where(Clip.video_id == video_id)
    db.session.execute(db.delete(ClipRequest).where(ClipRequest.clip_id.in_(clip_ids)))
    db.session.execute(
        db.update(Download).where(Download.video_id == video_id).values(video_id=None)
    )
    db.session.execute(db.delete(Clip).where(Clip.video_id == video_id))
    db.session.delete(video)
    db.session.commit()
    storage.delete_video_files(video_id)
    delete_video_clips(video_id)
    delete_video_stills(video_id)
    forget_uploads_of(video_id)


NAME_MAX = 80


def name_categories(names: dict[tuple[int, str], str]) -> None:
    """Set the names (tag id, language) -> text of the categories; an empty text
    removes that name (the category's key is shown instead)."""
    tags = {t.id: t for t in db.session.execute(db.select(Tag)).scalars()}
    for (tag_id, lang), text in names.items():
        tag = tags.get(tag_id)
        if tag is None:
            continue
        text = " ".join((text or "").split())[:NAME_MAX]
        row = next((n for n in tag.names if n.lang == lang), None)
        if not text:
            if row is not None:
                tag.names.remove(row)
        elif row is None:
            tag.names.append(TagName(lang=lang, name=text))
        else:
            row.name = text
    db.session.commit()
