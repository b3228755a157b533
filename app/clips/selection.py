"""What a user asks for: a selection of a master in frames or in its timecode.

``in_frame`` is inclusive and ``out_frame`` exclusive, as in an EDL; timecodes are the
master's (its start timecode as the probe stored it, `Video.clock()`), the out one
exclusive too.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from app.audio.tracks import AudioChoiceError, choice_from
from app.media.timecode import TimecodeError

_WHOLE = re.compile(r"[+-]?\d{1,12}")


class SelectionError(ValueError):
    """A selection the user has to correct: the message is translated and shown as is."""


class UnknownRate(SelectionError):
    """The master's frame rate is unknown: no frame can be named, so no clip cut."""


def clock_of(video):
    clock = video.clock()
    if clock is None:
        raise UnknownRate(_("This video's frame rate is unknown: clips cannot be cut."))
    return clock


def _whole_number(value, name):
    if isinstance(value, bool):
        raise SelectionError(_("“%(name)s” must be a whole number of frames.", name=name))
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not _WHOLE.fullmatch(text):
        raise SelectionError(_("“%(name)s” must be a whole number of frames.", name=name))
    return int(text)


def _timecode_message(error):
    if error.code == "dropped":
        return _("“%(tc)s” does not exist in drop-frame timecode.", tc=error.text)
    if error.code == "invalid":
        return _("“%(tc)s” is not a valid timecode.", tc=error.text)
    return _("“%(tc)s” is not a timecode: write it as HH:MM:SS:FF.", tc=error.text)


def frame_of(video, text):
    """Master frame index of the master timecode `text`; SelectionError if unreadable."""
    try:
        return clock_of(video).index(text, video.frame_count or 0)
    except TimecodeError as error:
        raise SelectionError(_timecode_message(error)) from None


def _given(data, key):
    value = data.get(key) if hasattr(data, "get") else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _points(video, data):
    frames = _given(data, "in_frame"), _given(data, "out_frame")
    if frames != (None, None):
        if None in frames:
            raise SelectionError(_("Give both an in point and an out point."))
        return _whole_number(frames[0], "in_frame"), _whole_number(frames[1], "out_frame")
    typed = _given(data, "in"), _given(data, "out")
    if None in typed:
        raise SelectionError(_("Give both an in point and an out point."))
    if not all(isinstance(t, str) for t in typed):
        raise SelectionError(_("Timecodes must be written as HH:MM:SS:FF."))
    return frame_of(video, typed[0]), frame_of(video, typed[1])


def parse_selection(video, data) -> tuple[int, int]:
    """(in_frame, out_frame) from a form or JSON body; SelectionError with a message."""
    clock = clock_of(video)
    in_frame, out_frame = _points(video, data)
    total = video.frame_count or 0
    if out_frame == in_frame:
        raise SelectionError(
            _("The selection is empty: the out point must come after the in point.")
        )
    if out_frame < in_frame:
        raise SelectionError(_("The out point comes before the in point."))
    if in_frame < 0 or out_frame > total:
        raise SelectionError(
            _(
                "The selection goes beyond the video, which runs from %(first)s to %(last)s.",
                first=clock.timecode(0),
                last=clock.timecode(total),
            )
        )
    return in_frame, out_frame


def parse_clip_request(video, data) -> tuple[int, int, str]:
    """(in_frame, out_frame, audio) of a clip request: the selection, and the canonical
    choice of audio tracks ("" for all, app/audio/tracks.py); SelectionError."""
    in_frame, out_frame = parse_selection(video, data)
    try:
        return in_frame, out_frame, choice_from(video, data)
    except AudioChoiceError as exc:
        raise SelectionError(str(exc)) from None
