"""SMPTE timecode <-> frame numbers, for rational frame rates.

Pure Python, no dependencies.  Conventions:

* A frame rate is a :class:`fractions.Fraction` (``Fraction(30000, 1001)`` for 29.97);
  :func:`parse_rate` accepts ``"25"``, ``"30000/1001"``, ``"29.97"``, ints, floats and
  Fractions.
* The *nominal* rate is the integer frame count per timecode second (30 for 29.97).
* Drop-frame (DF) timecode exists only for 29.97 and 59.94 (and their multiples 119.88):
  frame numbers 0-1 (0-3 at 59.94) are skipped at the start of every minute except
  every tenth.  DF timecode is written with ``;`` before the frames
  (``10:00:00;00``); non-drop with ``:`` (``10:00:00:00``).
* Timecode counts wrap at 24 hours (:func:`frames_to_tc`), but parsing is strict:
  ``HH:MM:SS:FF`` / ``HH:MM:SS;FF`` with two digits per field, ``HH < 24``,
  ``MM, SS < 60``, ``FF < nominal rate``, and no dropped label in DF.

A master whose first frame carries timecode ``10:00:00:00`` maps master timecode to
frame index with :func:`tc_to_index`; the reverse is :func:`index_to_tc`.

What people type and read
    ``app.media.master_clock.video_clock`` gives a ``MasterClock`` for a master (its rate and the start
    timecode the probe stored): master frame index <-> timecode label, durations, and
    the tolerant reading of what someone typed (:func:`read_tc`: ``1:02:03:04``,
    ``10.00.00.00``, ``10:00:00,00`` ...; drop-frame is the master's counting, whatever
    the separator).  :func:`label_seconds` and :func:`valid_label` serve shot lists.
"""

from __future__ import annotations

import logging
import re
from fractions import Fraction

__all__ = [
    "Timecode",
    "TimecodeError",
    "drop_frames_per_minute",
    "frames_to_tc",
    "index_to_tc",
    "is_drop_frame_rate",
    "label_seconds",
    "nominal_rate",
    "parse_rate",
    "parse_tc",
    "read_tc",
    "tc_to_frames",
    "tc_to_index",
    "valid_label",
]

log = logging.getLogger(__name__)

_TC_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})([:;])(\d{2})$")
# What people type: one or two digits per field, "." for ":", and ";", "," or "." before
# the frames (NLEs and spreadsheets write all of these).
_TYPED_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{1,2})[:.](\d{1,2})([:;.,])(\d{1,3})\s*$")
# A shot list's timecode: the frames may be left out (then the second is meant).
_LABEL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[:;.](\d{1,2}))?\s*$")
_DAY_SECONDS = 24 * 3600


def parse_rate(rate: Fraction | int | float | str) -> Fraction:
    """Return ``rate`` as a positive Fraction.

    Decimal NTSC spellings (29.97, 59.94, 23.976, 23.98, 47.95, 119.88) are taken to mean
    the exact ``N*1000/1001`` rate.
    """
    if isinstance(rate, bool):
        raise ValueError(f"invalid frame rate {rate!r}")
    if isinstance(rate, Fraction):
        value = rate
    elif isinstance(rate, int):
        value = Fraction(rate)
    elif isinstance(rate, float | str):
        text = str(rate).strip()
        try:
            if "/" in text:
                num, _, den = text.partition("/")
                value = Fraction(int(num), int(den))
            else:
                value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"invalid frame rate {rate!r}") from None
        if value.denominator != 1 and "/" not in text:
            ntsc = Fraction(round(value * Fraction(1001, 1000)) * 1000, 1001)
            if abs(float(ntsc) - float(value)) < 0.006:
                value = ntsc
    else:
        raise ValueError(f"invalid frame rate {rate!r}")
    if value <= 0:
        raise ValueError(f"frame rate must be positive, got {rate!r}")
    return value


def nominal_rate(rate: Fraction | int | float | str) -> int:
    """Frames per timecode second: 30 for 29.97, 25 for 25, 24 for 23.976."""
    value = parse_rate(rate)
    nominal = round(value)
    if nominal < 1:
        raise ValueError(f"frame rate {rate!r} is too low for timecode")
    return nominal


def is_drop_frame_rate(rate: Fraction | int | float | str) -> bool:
    """True for the NTSC rates where drop-frame timecode applies (29.97, 59.94, 119.88)."""
    value = parse_rate(rate)
    return value.denominator == 1001 and value.numerator % 30000 == 0


def drop_frames_per_minute(rate: Fraction | int | float | str) -> int:
    """Frame labels dropped each minute (except every tenth) in drop-frame timecode."""
    if not is_drop_frame_rate(rate):
        raise ValueError(f"drop-frame timecode is not defined for {parse_rate(rate)} fps")
    return nominal_rate(rate) // 15  # 2 at 29.97, 4 at 59.94, 8 at 119.88


def _resolve_drop(rate: Fraction, drop: bool | None) -> bool:
    if drop is None:
        return is_drop_frame_rate(rate)
    if drop and not is_drop_frame_rate(rate):
        raise ValueError(f"drop-frame timecode is not defined for {rate} fps")
    return drop


def parse_tc(tc: str, rate: Fraction | int | float | str) -> tuple[int, int, int, int, bool]:
    """Validate ``tc`` and return ``(hours, minutes, seconds, frames, drop)``.

    ``drop`` comes from the separator before the frames (``;`` = drop-frame).
    """
    if not isinstance(tc, str):
        raise ValueError(f"timecode must be a string like 10:00:00:00, got {tc!r}")
    m = _TC_RE.match(tc.strip())
    if not m:
        raise ValueError(
            f"malformed timecode {tc!r}: expected HH:MM:SS:FF (non-drop) or HH:MM:SS;FF "
            "(drop-frame), two digits per field"
        )
    hh, mm, ss, sep, ff = m.groups()
    h, mi, s, f = int(hh), int(mm), int(ss), int(ff)
    value = parse_rate(rate)
    nominal = nominal_rate(value)
    drop = sep == ";"
    if h >= 24:
        raise ValueError(f"timecode {tc!r}: hours must be 00-23")
    if mi >= 60:
        raise ValueError(f"timecode {tc!r}: minutes must be 00-59")
    if s >= 60:
        raise ValueError(f"timecode {tc!r}: seconds must be 00-59")
    if f >= nominal:
        raise ValueError(f"timecode {tc!r}: frames must be below {nominal} at {value} fps")
    if drop:
        if not is_drop_frame_rate(value):
            raise ValueError(
                f"timecode {tc!r} is drop-frame (';') but {value} fps has no drop-frame "
                "timecode; use ':' before the frames"
            )
        dropped = drop_frames_per_minute(value)
        if s == 0 and mi % 10 != 0 and f < dropped:
            raise ValueError(
                f"timecode {tc!r} does not exist in drop-frame: frames 00-{dropped - 1:02d} "
                "are skipped at the start of each minute not divisible by ten"
            )
    return h, mi, s, f, drop


def tc_to_frames(tc: str, rate: Fraction | int | float | str, *, drop: bool | None = None) -> int:
    """Frame count since 00:00:00:00 of timecode ``tc``.

    Drop-frame is taken from the separator; passing ``drop`` explicitly makes a mismatch
    an error (e.g. a DF-rate master given a ``:`` timecode with ``drop=True``).
    """
    value = parse_rate(rate)
    h, mi, s, f, is_drop = parse_tc(tc, value)
    if drop is not None and drop != is_drop:
        kind = "drop-frame (HH:MM:SS;FF)" if drop else "non-drop (HH:MM:SS:FF)"
        raise ValueError(f"timecode {tc!r}: expected {kind} timecode")
    nominal = nominal_rate(value)
    frames = ((h * 60 + mi) * 60 + s) * nominal + f
    if is_drop:
        total_minutes = h * 60 + mi
        frames -= drop_frames_per_minute(value) * (total_minutes - total_minutes // 10)
    return frames


def frames_to_tc(
    frames: int, rate: Fraction | int | float | str, *, drop: bool | None = None
) -> str:
    """Timecode label of frame count ``frames`` since midnight (wraps at 24 hours).

    ``drop`` defaults to drop-frame for 29.97/59.94 and non-drop otherwise.
    """
    if isinstance(frames, bool) or not isinstance(frames, int):
        raise ValueError(f"frame count must be an integer, got {frames!r}")
    value = parse_rate(rate)
    is_drop = _resolve_drop(value, drop)
    nominal = nominal_rate(value)
    if is_drop:
        dropped = drop_frames_per_minute(value)
        per_10min = 600 * nominal - 9 * dropped
        per_min = 60 * nominal - dropped
        per_day = 24 * 6 * per_10min
        frames %= per_day
        tens, rem = divmod(frames, per_10min)
        frames += 9 * dropped * tens
        if rem > dropped:
            frames += dropped * ((rem - dropped) // per_min)
    else:
        frames %= _DAY_SECONDS * nominal
    f = frames % nominal
    total_s = frames // nominal
    s = total_s % 60
    mi = (total_s // 60) % 60
    h = total_s // 3600
    sep = ";" if is_drop else ":"
    return f"{h:02d}:{mi:02d}:{s:02d}{sep}{f:02d}"


def tc_to_index(tc: str, start_tc: str, rate: Fraction | int | float | str) -> int:
    """0-based frame index, within a master whose first frame is ``start_tc``, of ``tc``.

    Both timecodes must use the same counting (drop or non-drop).  A timecode before the
    start is an error.  A master that crosses midnight (``23:59:59:24`` -> ``00:00:00:00``)
    is handled by wrapping once.
    """
    value = parse_rate(rate)
    start = tc_to_frames(start_tc, value)
    _, _, _, _, start_drop = parse_tc(start_tc, value)
    point = tc_to_frames(tc, value, drop=start_drop)
    index = point - start
    if index < 0:
        day = frames_per_day(value, start_drop)
        if -index > day // 2:  # the master crossed midnight
            index += day
        else:
            raise ValueError(f"timecode {tc} is before the start timecode {start_tc}")
    return index


def index_to_tc(index: int, start_tc: str, rate: Fraction | int | float | str) -> str:
    """Timecode label of 0-based frame ``index`` of a master starting at ``start_tc``."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"frame index must be a non-negative integer, got {index!r}")
    value = parse_rate(rate)
    _, _, _, _, drop = parse_tc(start_tc, value)
    return frames_to_tc(tc_to_frames(start_tc, value) + index, value, drop=drop)


def frames_per_day(rate: Fraction | int | float | str, drop: bool | None = None) -> int:
    """Number of distinct timecode labels in 24 hours."""
    value = parse_rate(rate)
    nominal = nominal_rate(value)
    if _resolve_drop(value, drop):
        return 24 * 6 * (600 * nominal - 9 * drop_frames_per_minute(value))
    return _DAY_SECONDS * nominal


class Timecode:
    """A timecode label bound to a frame rate, with arithmetic in frames.

    >>> tc = Timecode("10:00:00;00", Fraction(30000, 1001))
    >>> str(tc + 1800)
    '10:01:00;02'
    """

    __slots__ = ("frames", "rate", "drop")

    def __init__(
        self, tc: str | int, rate: Fraction | int | float | str, *, drop: bool | None = None
    ):
        self.rate = parse_rate(rate)
        if isinstance(tc, str):
            _, _, _, _, is_drop = parse_tc(tc, self.rate)
            if drop is not None and drop != is_drop:
                raise ValueError(f"timecode {tc!r}: drop-frame flag does not match")
            self.drop = is_drop
            self.frames = tc_to_frames(tc, self.rate)
        else:
            if isinstance(tc, bool) or not isinstance(tc, int) or tc < 0:
                raise ValueError(f"frame count must be a non-negative integer, got {tc!r}")
            self.drop = _resolve_drop(self.rate, drop)
            self.frames = tc

    def __str__(self) -> str:
        return frames_to_tc(self.frames, self.rate, drop=self.drop)

    def __repr__(self) -> str:
        return f"Timecode({str(self)!r}, {self.rate})"

    def __add__(self, frames: int) -> Timecode:
        return Timecode(
            (self.frames + frames) % frames_per_day(self.rate, self.drop),
            self.rate,
            drop=self.drop,
        )

    def __sub__(self, other: Timecode | int) -> int | Timecode:
        if isinstance(other, Timecode):
            return self.frames - other.frames
        return self + (-other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timecode):
            return NotImplemented
        return (self.frames, self.rate, self.drop) == (other.frames, other.rate, other.drop)

    def __hash__(self) -> int:
        return hash((self.frames, self.rate, self.drop))


# --------------------------------------------------------------------------- typed input


class TimecodeError(ValueError):
    """A typed timecode that cannot be read.

    ``code`` says why, for a message in the user's language: ``"malformed"`` (not
    HH:MM:SS:FF), ``"invalid"`` (a field out of range) or ``"dropped"`` (a label that
    drop-frame timecode skips).  ``text`` is what was typed (stripped, at most 40
    characters).
    """

    def __init__(self, code: str, text: str):
        self.code = code
        self.text = (text or "").strip()[:40]
        super().__init__(f"{code} timecode {self.text!r}")


def read_tc(text: str, rate: Fraction | int | float | str, *, drop: bool = False) -> int:
    """Frame count since midnight of a timecode someone typed.

    Tolerant of the spelling (see ``_TYPED_RE``); ``drop`` is the counting of the master
    it refers to, not the separator typed.  Raises :class:`TimecodeError`.
    """
    match = _TYPED_RE.match(text or "") if isinstance(text, str) else None
    if not match:
        raise TimecodeError("malformed", text if isinstance(text, str) else "")
    hh, mm, ss, _sep, ff = match.groups()
    h, mi, s, f = int(hh), int(mm), int(ss), int(ff)
    value = parse_rate(rate)
    nominal = nominal_rate(value)
    if h > 23 or mi > 59 or s > 59 or f >= nominal:
        raise TimecodeError("invalid", text)
    dropped = drop_frames_per_minute(value) if drop else 0
    if dropped and s == 0 and mi % 10 != 0 and f < dropped:
        raise TimecodeError("dropped", text)
    total_minutes = 60 * h + mi
    return (total_minutes * 60 + s) * nominal + f - dropped * (total_minutes - total_minutes // 10)


def label_seconds(text: str, rate: Fraction | int | float | str) -> float | None:
    """Seconds of a timecode label, counted the way it reads: ``HH*3600 + MM*60 + SS +
    FF/nominal rate`` (``HH:MM:SS`` without frames is accepted).  None if unreadable."""
    match = _LABEL_RE.match(text or "") if isinstance(text, str) else None
    if not match:
        return None
    h, mi, s, f = match.groups()
    return int(h) * 3600 + int(mi) * 60 + int(s) + int(f or 0) / nominal_rate(rate)


def valid_label(text: str, rate: Fraction | int | float | str | None = None) -> bool:
    """Whether ``text`` is a ``HH:MM:SS:FF`` label (``;`` or ``.`` also before the
    frames, two digits per field) with minutes and seconds below 60 and frames below
    the nominal rate (60 when the rate is unknown).  Hours are not limited: shot lists
    may count past a day."""
    match = re.fullmatch(r"(\d{2}):(\d{2}):(\d{2})[:;.](\d{2})", (text or "").strip())
    if not match:
        return False
    _h, mi, s, f = (int(g) for g in match.groups())
    limit = nominal_rate(rate) if rate else 60
    return mi <= 59 and s <= 59 and f < limit
