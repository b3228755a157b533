"""The download history shows a clip's in and out (master timecodes, the out as the last
frame included), its sizes under "Size", and a link to download again."""

import re

from app.clock import utcnow
from app.extensions import db
from app.models import Clip, ClipRequest, Download


def _clip(video, user, in_frame, out_frame, keep_request=True):
    clip = Clip(video_id=video.id, in_frame=in_frame, out_frame=out_frame, status="done")
    db.session.add(clip)
    db.session.flush()
    request = None
    if keep_request:
        request = ClipRequest(clip_id=clip.id, user_id=user.id)
        db.session.add(request)
    db.session.add(
        Download(
            user_id=user.id,
            video_id=video.id,
            rendition="clip",
            clip_id=clip.id,
            in_frame=in_frame,
            out_frame=out_frame,
            bytes_sent=4096,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    return clip, request


def _rows(html):
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr>")[1:]]


def test_history_shows_clips_with_their_in_and_out_and_download_again(client, make_video, verified):
    video = make_video(title_en="Defence ministers meet")
    client.get(f"/videos/{video.id}/download/original", buffered=True)
    # 25 fps from 10:00:00:00: frames 28..54 are 10:00:01:03 → 10:00:02:04 (out_frame 55).
    _, request = _clip(video, verified, 28, 55)
    _clip(video, verified, 5, 10, keep_request=False)  # the request was deleted since

    html = client.get("/account/downloads").get_data(as_text=True)
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert ">Size<" in head and "Received" not in head
    rows = _rows(html)
    assert len(rows) == 3  # one line per clip, not one per video and day
    clip_row = next(r for r in rows if "10:00:01:03" in r)
    assert "Clip" in clip_row and "10:00:01:03 → Out 10:00:02:04" in clip_row
    assert f'href="/clips/{request.id}/download"' in html
    assert html.count("/clips/") == 1  # none for the clip whose request is gone
    assert f'href="/videos/{video.id}/download/original"' in html
    assert html.count('class="history-again"') == 2

    # The user's saved language is English: switch it to read the French page.
    verified.language = "fr"
    db.session.commit()
    fr_html = client.get("/account/downloads").get_data(as_text=True)
    assert ">Taille<" in fr_html
    assert "Télécharger à nouveau" in fr_html
    assert "Extrait" in fr_html or "Clip" in fr_html


def test_no_download_again_for_a_video_no_longer_published(client, make_video, verified):
    video = make_video()
    client.get(f"/videos/{video.id}/download/hd", buffered=True)
    video.published = False
    db.session.commit()
    html = client.get("/account/").get_data(as_text=True)
    assert 'class="history-again"' not in html
    assert f"/videos/{video.id}/download/" not in html
