"""What the video page needs for the still buttons, and a still's download name."""

from __future__ import annotations

from flask import url_for

from app.library.names import download_name


def file_name(video, frame, ext):
    """2026-03-14_defence-ministers-meet_still-10-00-01-05.png (the frame's timecode)."""
    clock = video.clock()
    label = clock.timecode(frame) if clock is not None else str(frame)
    return download_name(video, kind=f"still {label}", ext=ext)


def buttons_state(video):
    """What templates/stills/_buttons.html needs: the frame clock and the URL pattern
    (``{frame}`` is replaced by the player's current frame in static/js/stills.js)."""
    ready = video.status == "ready" and bool(video.frame_count and video.master_path)
    pattern = {
        ext: url_for("stills.still", video_id=video.id, frame=0, ext=ext).replace(
            f"/0.{ext}", "/{frame}." + ext
        )
        for ext in ("png", "jpg")
    }
    return {
        "ready": ready,
        "fps_num": video.fps_num or 25,
        "fps_den": video.fps_den or 1,
        "frame_count": video.frame_count or 0,
        "start_tc": video.master_start_timecode or "00:00:00:00",
        "png_pattern": pattern["png"],
        "jpg_pattern": pattern["jpg"],
        "png_first": url_for("stills.still", video_id=video.id, frame=0, ext="png"),
        "jpg_first": url_for("stills.still", video_id=video.id, frame=0, ext="jpg"),
    }
