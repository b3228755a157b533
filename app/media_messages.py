"""What the media core's error codes (`app.media.errors`) say, in the user's language.

The media core knows no Flask; this table is its translation.  ``describe(code, params)``
for a `MediaError` (``err.code``, ``err.params``) or for what was stored of one.  The
sentences shown to uploaders keep the catalogue's existing msgids.
"""

from __future__ import annotations

from flask_babel import gettext as _


def _sentences(params: dict) -> dict[str, str]:
    # Built per call: gettext needs the request's locale, and each sentence takes only
    # the parameters it names.
    detail = params.get("detail", "")
    return {
        "file_not_found": _("The file could not be found."),
        "unreadable": _("The file could not be read as a media file (%(detail)s).", detail=detail),
        "no_video_stream": _("The file contains no video stream."),
        "no_frame_rate": _("The video stream has no usable frame rate."),
        "still_image": _("The file is a still image, not a video."),
        "undecodable": _("The video stream could not be decoded (%(detail)s).", detail=detail),
        "no_duration": _("The video has no duration; no thumbnails can be made."),
        "renditions_failed": _("The renditions could not be made (%(detail)s).", detail=detail),
        "master_missing": _("The master file is missing."),
        "read_failed": _("The video could not be read (%(detail)s).", detail=detail),
        "seek_failed": _("The video could not be read at the requested frame."),
        "no_timestamps": _("The video packets carry no timestamps."),
        "frames_missing": _(
            "Decoding gave %(got)s of the %(expected)s frames expected "
            "(damaged or variable-frame-rate video).",
            got=params.get("got", "?"),
            expected=params.get("expected", "?"),
        ),
        "no_keyframe": _("No keyframe precedes the requested frame."),
        "beyond_end": _("The selection ends beyond the last frame of the master."),
        "frame_not_found": _(
            "Frame %(frame)s cannot be found in the master.", frame=params.get("frame", "?")
        ),
        "pcm_unaligned": _("PCM audio without block alignment cannot be cut."),
        "open_gop_uncuttable": _(
            "The open-GOP video cannot be cut here (%(detail)s).", detail=detail
        ),
        "frame_count_mismatch": _("The clip could not be cut (internal error)."),
    }


def describe(code: str | None, params: dict | None = None) -> str:
    """The sentence for media error ``code`` in the current language.

    An unknown or missing code gives the general "The file could not be read."
    """
    sentence = _sentences(params or {}).get(code or "")
    return sentence if sentence is not None else _("The file could not be read.")
