"""One cut's state: the master, the selection on its clock, the clip's timecode, progress.

Every step of the cut (:mod:`.plan`, :mod:`.encode`, :mod:`.audio`, :mod:`.video`,
:mod:`.mux`) reads the selection from a :class:`CutJob` and adds its notes to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.media import source
from app.media import timecode as tcm
from app.media.cut import picks as audio_picks
from app.media.cut.master import Master


class Progress:
    """The caller's progress callback, called with 0..0.99, at most once per 1 %."""

    def __init__(self, callback: Callable[[float], None] | None):
        self.callback = callback
        self.last = -1.0

    def __call__(self, value: float) -> None:
        if self.callback is None:
            return
        value = max(0.0, min(0.99, value))
        if value - self.last >= 0.01:
            self.last = value
            self.callback(value)


class CutJob:
    """Frames ``[in_frame, out_frame)`` of the master at ``path``, written to ``tmp``.

    The clip's start timecode counts from ``start_timecode``, the master's as the probe
    stored it; when None, it is read from the master by
    :func:`app.media.source.read_start_timecode`, the probe's own reader.  ``audio``
    (:class:`~app.media.cut.picks.AudioPick` s) names the audio the clip carries; None:
    every audio stream of the master.
    """

    def __init__(
        self,
        path: str,
        in_frame: int,
        out_frame: int,
        tmp: str,
        progress: Callable[[float], None] | None,
        start_timecode: str | None = None,
        audio=None,
    ):
        self.path = path
        self.in_frame = in_frame
        self.out_frame = out_frame
        self.tmp = tmp
        self.progress = Progress(progress)
        self.t0 = time.monotonic()
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.encoded_count = 0  # frames re-encoded so far (head and tail threads)
        self.count_lock = threading.Lock()
        self.out_of_band = False  # HEVC parameter sets all in the hvcC (track hvc1)
        self.phase = (0.0, 1.0)  # the share of the progress bar of the running phase

        self.master = m = Master(path)
        #: the clip's audio: (master stream, its channels or None for all), in order
        self.audio = audio_picks.resolve(audio, m.audio_streams, m.fmt)
        if start_timecode is None:
            start_timecode, _where = source.read_start_timecode(m.opened, m.vs, m.rate)
        self.start_tc = start_timecode or None
        self.frames = out_frame - in_frame
        self._clock()
        if m.vfr:
            self._note_vfr()
        self.clip_tc = None  # the clip's start timecode: the master's at the in point
        if self.start_tc:
            try:
                self.clip_tc = tcm.index_to_tc(in_frame, self.start_tc, m.rate)
            except ValueError:
                self.notes.append(f"master timecode {self.start_tc!r} not understood")

    def _clock(self) -> None:
        """The selection on the master's clock: its pts, its duration in seconds."""
        m = self.master
        self.t_in = m.pts_of(self.in_frame)
        self.t_out = m.pts_of(self.out_frame)
        if m.vfr:
            self.duration_s = (self.t_out - self.t_in) * m.tb
        else:
            self.duration_s = self.frames / m.rate

    def _note_vfr(self) -> None:
        m = self.master
        self.notes.append(
            f"variable frame rate: frames indexed by their order ({len(m.frame_pts)} frames),"
            " the clip keeps the master's timestamps"
        )

    def reclock_by_frame_table(self) -> bool:
        """The packets do not sit on the constant-rate grid: index the frames by their
        order instead (see :meth:`Master.use_frame_table`).  False if already done, or
        impossible."""
        if self.master.vfr or not self.master.use_frame_table():
            return False
        self._clock()
        self._note_vfr()
        return True

    def start_phase(self, low: float, high: float) -> None:
        """The running phase fills the progress bar from ``low`` to ``high``."""
        self.phase = (low, high)
        self.progress(low)

    def advance(self, fraction: float) -> None:
        """``fraction`` (0..1) of the running phase done."""
        low, high = self.phase
        self.progress(low + (high - low) * max(0.0, min(1.0, fraction)))

    def count_encoded(self) -> None:
        with self.count_lock:
            self.encoded_count += 1

    def elapsed(self) -> float:
        return time.monotonic() - self.t0
