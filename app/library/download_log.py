"""The download log: one Download row per file answer (full downloads, renditions, clips).

``log_callback(...)`` makes the ``log_download`` callback that
``app.http.sendfile.send_media`` calls once the server closes the response, with the
bytes really sent.
"""

from __future__ import annotations

from app.clock import utcnow
from app.extensions import db
from app.models import Download


def log_callback(
    *, user_id, video_id, rendition, client_address, clip_id=None, in_frame=None, out_frame=None
):
    """A `send_media(log_download=...)` callback that writes one Download row.

    rendition: "master", a rendition name, or "clip" (then clip_id, in_frame, out_frame).
    It runs when the server closes the response (possibly after the request context is
    gone), in an app context of its own: everything it needs is captured here.
    """

    def write(bytes_sent, status, range_header):
        db.session.add(
            Download(
                user_id=user_id,
                video_id=video_id,
                rendition=rendition,
                clip_id=clip_id,
                in_frame=in_frame,
                out_frame=out_frame,
                range_header=(range_header or None) and range_header[:200],
                bytes_sent=bytes_sent,
                client_address=(client_address or "")[:64] or None,
                created_at=utcnow(),
            )
        )
        db.session.commit()

    return write
