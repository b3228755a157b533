"""Errors raised by the media core (`app.media`): a stable code, its parameters, English.

`MediaError(code, **params)`: ``code`` is one of `ENGLISH`'s keys and never changes
meaning, so it can be stored and translated later (`app.media_messages.describe`);
``str(err)`` is the English sentence, for logs.  Parameters are JSON types.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # opening and probing a master
    "file_not_found": "The file could not be found.",
    "unreadable": "The file could not be read as a media file: {detail}.",
    "no_video_stream": "The file contains no video stream.",
    "no_frame_rate": "The video stream has no usable frame rate.",
    "still_image": "The file is a still image, not a video.",
    "undecodable": "The video stream could not be decoded: {detail}.",
    # derivatives
    "no_duration": "The video has no duration; no thumbnails can be made.",
    "renditions_failed": "The renditions could not be made: {detail}.",
    # cutting a clip
    "master_missing": "The master file does not exist: {path}",
    "read_failed": "The video cannot be read ({detail}).",
    "seek_failed": "The video cannot be positioned at the requested frame.",
    "no_timestamps": "The video packets carry no timestamps.",
    "frames_missing": (
        "Decoding gave {got} of the {expected} frames expected "
        "(damaged or variable-frame-rate video)."
    ),
    "no_keyframe": "No keyframe precedes the requested frame.",
    "beyond_end": (
        "The selection ends beyond the last frame of the master (frame {frame} does not exist)."
    ),
    "frame_not_found": "Frame {frame} cannot be found in the master.",
    "pcm_unaligned": "PCM audio without block alignment cannot be cut.",
    "open_gop_uncuttable": "The open-GOP video cannot be cut here ({detail}).",
    "frame_count_mismatch": (
        "Internal error: {copied} copied + {reencoded} re-encoded frames != {frames}"
    ),
}


class MediaError(Exception):
    """A master cannot be ingested or cut, or a derivative cannot be made from it."""

    def __init__(self, code: str, **params):
        if code not in ENGLISH:
            raise ValueError(f"unknown media error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(ENGLISH[code].format(**params))

    def __reduce__(self):
        # pickle would call MediaError(<English sentence>): rebuild from code and params
        return _rebuild, (self.code, self.params)

    @property
    def reason(self) -> str:
        """The English sentence (what `str()` gives)."""
        return str(self)


def _rebuild(code: str, params: dict) -> MediaError:
    return MediaError(code, **params)
