"""Staff labels of a video's audio tracks, one per track and language."""

from __future__ import annotations

from app.audio.tracks import available
from app.extensions import db
from app.models import AudioLabel

MAX_LABEL = 120


def save_labels(video, labels: dict[tuple[str, str], str]) -> int:
    """Set the labels (track key, language) -> text of ``video``; an empty text removes
    one, a key that is no track of the video is ignored.  The number of labels kept."""
    keys = {t.key for t in available(video)}
    rows = {(row.track, row.lang): row for row in video.audio_labels}
    for (key, lang), text in labels.items():
        if key not in keys:
            continue
        text = " ".join((text or "").split())[:MAX_LABEL]
        row = rows.get((key, lang))
        if not text:
            if row is not None:
                video.audio_labels.remove(row)
            continue
        if row is None:
            video.audio_labels.append(AudioLabel(track=key, lang=lang, label=text))
        else:
            row.label = text
    db.session.commit()
    return len(video.audio_labels)
