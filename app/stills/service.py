"""The stills of a video: which frames exist, where a still is kept, making it.

A still is made in the request: seeking to the keyframe before the frame and decoding
from there takes well under a second for most masters (benchmarks/bench_still.py), and
a made still is kept under MEDIA_ROOT/stills/<video id>/<video id>-<frame>.<ext>, so
the next request for it is a plain file answer. Files are written atomically
(`app.media.still`): two requests racing for one still both succeed, and none is ever
served half written.
"""

from __future__ import annotations

import logging
import shutil

from app import storage
from app.media.still import grab_still

STILLS_DIR = "stills"
#: URL extension -> the media core's format
FORMATS = {"png": "png", "jpg": "jpeg"}
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg"}

log = logging.getLogger(__name__)


class NoMaster(LookupError):
    """The video has no master file on disk (yet, or any more)."""


def frame_in_range(video, frame) -> bool:
    """True when `frame` is a frame of the master: 0 <= frame < its frame count."""
    return isinstance(frame, int) and 0 <= frame < int(video.frame_count or 0)


def stills_dir(video_id):
    return storage.safe_join(storage.media_root(), STILLS_DIR, str(int(video_id)))


def cached_path(video_id, frame, ext):
    """MEDIA_ROOT/stills/<video id>/<video id>-<frame>.<ext> (made or not)."""
    if ext not in FORMATS:
        raise ValueError(f"unknown still extension {ext!r}")
    return storage.safe_join(stills_dir(video_id), f"{int(video_id)}-{int(frame)}.{ext}")


def still_path(video, frame, ext):
    return cached_path(video.id, frame, ext)


def still_file(video, frame, ext):
    """(the still of `frame` as a file on disk, whether it was made now): the cached
    one, else made in this call.

    Raises NoMaster, or app.media.errors.MediaError when the master cannot give it."""
    path = still_path(video, frame, ext)
    if path.is_file():
        return path, False
    master = storage.existing_file(video.master_path)
    if master is None:
        raise NoMaster(video.id)
    report = grab_still(master, frame, path, FORMATS[ext])
    log.info(
        "still of video %s frame %s: %sx%s -> %sx%s, %s (%s)%s, %s frames decoded from %s, %.2f s",
        video.id,
        frame,
        report.source_width,
        report.source_height,
        report.width,
        report.height,
        report.colour_matrix,
        report.colour_matrix_from,
        f", {report.deinterlacer}" if report.deinterlacer else "",
        report.decoded_frames,
        report.keyframe_index,
        report.seconds,
    )
    return path, True


def delete_video_stills(video_id):
    """Remove the cached stills of a video (when it is deleted or its master replaced)."""
    shutil.rmtree(stills_dir(video_id), ignore_errors=True)
