"""What the API and the clip editor show of a clip: its status, times, name and size."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext

from app.audio import tracks as audio_tracks
from app.captions import present as captions_present
from app.clips import service
from app.clips.cache import clip_extension
from app.clips.selection import clock_of
from app.formatting import human_size
from app.library import policy
from app.library.names import download_name
from app.media_messages import describe


def public_status(clip) -> str:
    return "queued" if clip.status == "evicted" else clip.status


def state_label(status):
    return {
        "queued": pgettext("clip status", "Queued"),
        "running": pgettext("clip status", "Cutting…"),
        "done": pgettext("clip status", "Ready"),
        "failed": pgettext("clip status", "Failed"),
    }.get(status, status)


def pending_limit_message(limit):
    return _(
        "You already have %(num)d clips being cut. Please wait until they are ready.", num=limit
    )


def error_message(clip, staff=False):
    """Why the cut failed, for people: the engine's reason when it gave one, translated;
    staff also see the technical detail."""
    if clip.status != "failed":
        return None
    code = (clip.report or {}).get("error_code")
    if code:
        message = describe(code, (clip.report or {}).get("error_params"))
    else:
        message = _("The clip could not be cut. Please try again, or choose other points.")
    if staff and clip.error:
        return f"{message} ({clip.error})"
    return message


def file_name(clip):
    """2026-03-14_defence-ministers_10-00-01-05_10-00-02-24.mp4: the first and the last
    frame of the clip, as the editor shows them (the API's out point stays exclusive)."""
    video = clip.video
    clock = clock_of(video)
    ext = "." + (clip.path or "").rpartition(".")[2] if clip.path else clip_extension(video)
    return download_name(
        video,
        kind="clip",
        ext=ext,
        in_tc=clock.timecode(clip.in_frame),
        out_tc=clock.timecode(clip.out_frame - 1),
        audio=clip.audio,
    )


def log_fields(clip) -> dict:
    """What the download log writes of a clip (alone, through the API or in a basket)."""
    return {
        "rendition": "clip",
        "clip_id": clip.id,
        "in_frame": clip.in_frame,
        "out_frame": clip.out_frame,
    }


def audio_keys(clip) -> list[str]:
    """The keys of the tracks the clip carries: those chosen, else every track."""
    if clip.audio:
        return clip.audio.split(",")
    return [t.key for t in audio_tracks.available(clip.video)]


def status_dict(clip_request, staff=False):
    clip = clip_request.clip
    video = clip.video
    clock = clock_of(video)
    status = public_status(clip)
    done = status == "done"
    return {
        "id": clip_request.id,
        "video_id": clip.video_id,
        "status": status,
        "progress": 1.0 if done else round(max(0.0, min(1.0, clip.progress or 0.0)), 3),
        "frames": clip.frames,
        "in_frame": clip.in_frame,
        "out_frame": clip.out_frame,
        # the audio tracks it carries (app/audio/tracks.py), and their names
        "audio": audio_keys(clip),
        "audio_names": audio_tracks.choice_names(video, clip.audio),
        "tc_in": clock.timecode(clip.in_frame),
        "tc_out": clock.timecode(clip.out_frame),
        "duration": round(float(clip.frames / clock.rate), 3),
        "duration_tc": clock.duration(clip.frames),
        "size": clip.size if done else None,
        "size_text": human_size(clip.size) if done and clip.size is not None else "",
        "filename": file_name(clip) if done else None,
        "download_url": url_for("clips.download", request_id=clip_request.id) if done else None,
        "status_url": url_for("clips.status", request_id=clip_request.id),
        "error": error_message(clip, staff=staff),
        # The clip's caption sidecars, one per language, once it is cut.
        "captions": captions_present.sidecars(video, clip.in_frame, clip.out_frame) if done else [],
    }


def editor_state(video, user):
    """What templates/clips/_editor.html needs: the video's timing for the browser's
    timecode maths, whether this user may ask for clips, and their recent clips of it."""
    clock = video.clock()
    recent = []
    if clock is not None and user.is_authenticated:
        staff = policy.is_staff(user)
        recent = [status_dict(r, staff=staff) for r in service.recent_requests(video, user)]
    start_tc = video.master_start_timecode or "00:00:00:00"
    return {
        "ready": bool(clock and video.frame_count) and video.status == "ready",
        "fps_num": video.fps_num or 25,
        "fps_den": video.fps_den or 1,
        "frame_count": video.frame_count or 0,
        "start_tc": start_tc,
        "drop_frame": bool(clock and clock.drop),
        "create_url": url_for("clips.create", video_id=video.id),
        "terms_accepted": bool(user.is_authenticated and policy.has_accepted_terms(user)),
        "recent": recent,
        "tracks": audio_tracks.shown(video),
    }
