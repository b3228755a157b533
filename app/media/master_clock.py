"""A master's clock: its frame indexes as the timecodes people read and type.

Built on the SMPTE maths of app.media.timecode (the one home of parse, format, drop-frame
and midnight); `Video.clock()` gives a master's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction

from app.media.timecode import (
    TimecodeError,
    frames_per_day,
    frames_to_tc,
    is_drop_frame_rate,
    parse_rate,
    read_tc,
    valid_label,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MasterClock:
    """The timecode of one master: its rate, counting and first frame's count."""

    rate: Fraction
    drop: bool
    start: int  # frame count since midnight of the master's first frame

    def timecode(self, index: int) -> str:
        """Label of master frame ``index`` (0 = the first frame); wraps at midnight."""
        return frames_to_tc(self.start + index, self.rate, drop=self.drop)

    def index(self, text: str, frame_count: int = 0) -> int:
        """Master frame index of the typed timecode ``text`` (may be negative: before the
        start).  A master of ``frame_count`` frames that crosses midnight is read on
        across it.  Raises :class:`TimecodeError`."""
        frame = read_tc(text, self.rate, drop=self.drop) - self.start
        day = frames_per_day(self.rate, self.drop)
        if frame < 0 and self.start + (frame_count or 0) > day:
            frame += day
        return frame

    def from_relative(self, text: str, frame_count: int) -> str | None:
        """The master timecode of a label counted from the file's first frame (what a
        shot list typed against a player at 00:00:00:00 holds), when ``text`` is such a
        label and not a timecode of this master; else None.

        Only a master whose clock does not start at 00:00:00:00 can tell the two apart:
        a label before its start that falls inside the file as an offset is relative.
        """
        if not self.start or not valid_label(text, self.rate):
            return None
        try:
            if 0 <= self.index(text, frame_count) < max(frame_count, 1):
                return None  # a timecode of the master itself
            offset = read_tc(text.strip(), self.rate)
        except TimecodeError:
            return None
        if frame_count and offset >= frame_count:
            return None
        return self.timecode(offset)

    def duration(self, frames: int) -> str:
        """A duration as HH:MM:SS:FF counted from zero (never drop-frame)."""
        return frames_to_tc(frames, self.rate, drop=False)


def video_clock(rate: Fraction | int | float | str, start_tc: str | None) -> MasterClock:
    """The clock of a master from its rate and stored start timecode.

    Drop-frame counting when the start timecode is written with ``;`` at a drop-frame
    rate; no start timecode (or an unreadable one, logged) counts from 00:00:00:00.
    """
    value = parse_rate(rate)
    drop = bool(start_tc and ";" in start_tc and is_drop_frame_rate(value))
    start = 0
    if start_tc:
        try:
            start = read_tc(start_tc, value, drop=drop)
        except TimecodeError:
            log.warning("unreadable start timecode %r: counting from 00:00:00:00", start_tc)
    return MasterClock(value, drop, start)
