"""The master as the cut reads it: its streams, its frame clock, demuxers placed at a packet.

A :class:`Master` is opened once per cut (through :func:`app.media.source.open_input`,
like every reader of a master); each pass over its packets (scan, decode of a join,
audio) takes a demuxer of its own with :meth:`Master.open`, so that seeking one never
moves another, and gives it back with :meth:`Master.release`.  Opening costs more
than a pass over a minute of packets (FFmpeg decodes a frame of every stream to probe
them: 0.12 s for a 1080p H.264 master), so MP4/MOV demuxers given back are kept and
handed out again, sought to the start: in those files a seek is exact, by the sample
tables.  The first container, whose streams describe the master to the muxer and the
encoders, is never handed out.
"""

from __future__ import annotations

import bisect
import os
import threading
from fractions import Fraction

import av
from av.stream import Discard

from app.media import source
from app.media.cut.bitstream import h264_opengop
from app.media.cut.bitstream import nal as bs
from app.media.errors import MediaError

#: Long-GOP codecs the engine cuts smartly, with the encoder used for their joins.
SMART_CODECS = {"h264": "libx264", "hevc": "libx265", "mpeg2video": "mpeg2video"}

_MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"

#: Video packets whose timestamps are checked against the constant-rate grid when a
#: master is opened (a variable-frame-rate master is then indexed by its frame table).
_GRID_CHECK_PACKETS = 120

#: x264 SPS/PPS ids the re-encoded H.264 joins may take: the first one the master's
#: parameter sets leave free (so neither set overwrites the other).
_X264_SPS_IDS = (3, 7, 11, 15, 21, 31)


def output_format(master_path: str, format_name: str | None = None) -> tuple[str, str]:
    """(FFmpeg muxer, file extension) of the clip cut from ``master_path``."""
    ext = os.path.splitext(master_path)[1].lower()
    if format_name is None:
        try:
            with source.open_input(master_path) as master:
                format_name = master.container.format.name
        except MediaError:
            format_name = ""
    if format_name == _MOV_FAMILY or format_name in ("mov", "mp4"):
        if ext in (".mp4", ".m4v"):
            return "mp4", ".mp4"
        return "mov", ".mov"
    if format_name == "mxf":
        return "mxf", ".mxf"
    if format_name == "mpegts":
        return "mpegts", ".ts"
    return "mov", ".mov"


def open_container(path: str) -> av.container.InputContainer:
    """A new demuxer over the master (one per pass over its packets)."""
    return source.open_input(path).container


def chain(first, rest):
    """``first``, then the rest of the packets."""
    yield first
    yield from rest


class Master:
    """The opened master: its video stream and codec, its audio streams, its clock."""

    def __init__(self, path: str):
        self.path = path
        self.opened = source.open_input(path)
        self.container = c = self.opened.container
        self.vs = source.pick_video_stream(c)
        if self.vs is None:
            raise MediaError("no_video_stream")
        self.vindex = self.vs.index
        self.vctx = self.vs.codec_context
        self.codec = self.vctx.name
        self.tb: Fraction = self.vs.time_base
        rate = self.vs.average_rate or self.vs.guessed_rate or self.vs.base_rate
        if not rate or not self.tb:
            raise MediaError("no_frame_rate")
        self.rate = Fraction(rate)
        self.step = 1 / (self.rate * self.tb)  # ticks per frame (a Fraction)
        self.audio_streams = source.audio_streams(c)
        self.fmt, self.ext = output_format(path, c.format.name)
        desc = av.codec.Codec(self.codec, "r")
        self.intra = bool(desc.intra_only) or self.codec in ("prores", "dnxhd", "mjpeg")
        self.smart = self.codec in SMART_CODECS
        self.field_order = getattr(self.vctx, "field_order", None) or ""
        self.len_size, self.param_sets = (None, [])
        if self.codec in ("h264", "hevc"):
            self.len_size, self.param_sets = bs.parameter_sets(self.codec, self.vctx.extradata)
        self.x264_sps_id = 0
        if self.codec == "h264":
            used = bs.h264_sps_ids(self.param_sets) | bs.h264_pps_ids(self.param_sets)
            self.x264_sps_id = next(i for i in _X264_SPS_IDS if i not in used)
        self.open_gop = False  # copies may start at an open-GOP I frame (made an IDR)
        self.open_gop_why = ""
        if self.codec == "h264":
            try:
                h264_opengop.OpenGopRewriter(self.param_sets)
                self.open_gop = True
            except (h264_opengop.Unsupported, IndexError) as exc:
                self.open_gop_why = str(exc) or "unreadable parameter sets"
        self._idle: list[av.container.InputContainer] = []  # demuxers given back
        self._reuse = c.format.name == _MOV_FAMILY
        self._pool_lock = threading.Lock()
        self.p0 = self._first_pts()
        #: the pts of every frame in presentation order, for a variable-frame-rate
        #: master (None: constant rate, frame i at ``p0 + round(i * step)``)
        self.frame_pts: list[int] | None = None
        self._frame_step = 0  # the median frame interval of a VFR master
        if not self._on_grid():
            self.use_frame_table()

    # -- frame index <-> pts: a constant-rate grid, or the frame table (VFR)

    @property
    def vfr(self) -> bool:
        return self.frame_pts is not None

    def pts_of(self, index: int) -> int:
        if self.frame_pts is None:
            return self.p0 + round(index * self.step)
        if index < len(self.frame_pts):
            return self.frame_pts[index]
        # past the last frame: where the next one would start
        return self.frame_pts[-1] + (index - len(self.frame_pts) + 1) * self.frame_step()

    def index_of(self, pts: int) -> int:
        if self.frame_pts is None:
            return round((pts - self.p0) / self.step)
        return bisect.bisect_left(self.frame_pts, pts)

    def grid(self, a: int, b: int) -> list[int]:
        """The frame pts in [a, b)."""
        if self.frame_pts is not None:
            return self.frame_pts[bisect.bisect_left(self.frame_pts, a) :
                                  bisect.bisect_left(self.frame_pts, b)]  # fmt: skip
        return [self.pts_of(i) for i in range(self.index_of(a), self.index_of(b))]

    def frame_step(self) -> int:
        """Ticks per frame: exact at a constant rate, the median interval of a VFR one."""
        return self._frame_step or max(1, round(self.step))

    # -- the clip's encoders run on the frame grid (CFR) or on the master's clock (VFR)

    @property
    def enc_time_base(self) -> Fraction:
        return self.tb if self.vfr else 1 / self.rate

    def to_enc(self, ticks: int) -> int:
        """A duration in master ticks on the encoder's clock."""
        return ticks if self.vfr else round(ticks / self.step)

    def from_enc(self, t: int) -> int:
        return t if self.vfr else round(t * self.step)

    def _packet_pts(self, limit: int | None) -> list[int] | None:
        """The pts of the first ``limit`` (None: all) video packets, sorted; None when
        some packet has none."""
        c = self.open()
        found: list[int] = []
        try:
            vs = [s for s in c.streams if s.index == self.vindex][0]
            for packet in c.demux(vs):
                if packet.size == 0:
                    continue
                if packet.pts is None:
                    return None
                found.append(packet.pts)
                if limit is not None and len(found) >= limit:
                    break
        except av.FFmpegError as exc:
            raise MediaError("read_failed", detail=str(exc)) from exc
        finally:
            self.release(c)
        return sorted(found)

    def _on_grid(self) -> bool:
        """Whether the first packets sit on the constant-rate grid from ``p0`` (the last
        few of the window may still be missing: reordering)."""
        found = self._packet_pts(_GRID_CHECK_PACKETS)
        if found is None:
            return True  # no timestamps to judge by: the grid, as before
        found = [p for p in found if p >= self.p0]
        keep = max(1, len(found) - 8) if len(found) >= _GRID_CHECK_PACKETS else len(found)
        return found[:keep] == [self.pts_of(i) for i in range(keep)]

    def use_frame_table(self) -> bool:
        """Index frames by their order: every video packet's pts, read once (no decode).
        False when some packet has no pts (the grid stays)."""
        found = self._packet_pts(None)
        if not found:
            return False
        self.frame_pts = [p for p in found if p >= self.p0] or found
        self.p0 = self.frame_pts[0]
        pts = self.frame_pts
        gaps = sorted(b - a for a, b in zip(pts, pts[1:], strict=False))
        self._frame_step = max(1, gaps[len(gaps) // 2]) if gaps else 0
        if self.codec == "mpeg2video":
            self.smart = False  # MPEG-2 has no variable rate: re-encoded whole
        return True

    # -- demuxers

    def open(self, stream: int | None = None) -> av.container.InputContainer:
        """A demuxer over the master at its start, reading only the stream of index
        ``stream`` (None: the video stream): the others' packets are skipped unread (in
        an MP4 the video is most of the bytes an audio pass would read).  The caller
        gives it back with :meth:`release`."""
        with self._pool_lock:
            c = self._idle.pop() if self._idle else None
        if c is not None:
            try:
                c.seek(0)
            except av.FFmpegError:
                c.close()
                c = None
        if c is None:
            c = open_container(self.path)
        wanted = self.vindex if stream is None else stream
        for s in c.streams:
            s.discard = Discard.default if s.index == wanted else Discard.all
        return c

    def release(self, c: av.container.InputContainer) -> None:
        """Give back a demuxer from :meth:`open` (kept for the next pass, or closed)."""
        if not self._reuse:
            c.close()
            return
        with self._pool_lock:
            self._idle.append(c)

    def close(self) -> None:
        """Close the demuxers kept for further passes (the cut is over)."""
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()

    def split(self, data: bytes) -> list[bytes]:
        """The NAL units of one of the master's H.264/HEVC packets."""
        return bs.split(data, self.len_size)

    def join(self, nals: list[bytes]) -> bytes:
        """NAL units as one packet in the master's form (length-prefixed or Annex B)."""
        return bs.join(nals, self.len_size)

    def _first_pts(self) -> int:
        c = self.open()
        try:
            vs = [s for s in c.streams if s.index == self.vindex][0]
            threaded(vs)
            for packet in c.demux(vs):
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    continue
                for frame in frames:
                    if frame.pts is not None:
                        return frame.pts
            raise MediaError("undecodable", detail="it holds no decodable frame")
        except av.FFmpegError as exc:
            raise MediaError("undecodable", detail=str(exc)) from exc
        finally:
            self.release(c)

    def open_at(self, start, near_pts: int, decode: bool = False):
        """Open the master positioned so that the first video packet is ``start`` (a
        :class:`~app.media.cut.plan.Pkt`, or, with ``start`` None, a keyframe whose pts
        is <= ``near_pts``).

        Returns ``(container, stream, packets)``; ``packets`` iterates the video packets
        in decode order from there on.  The caller gives the container back with
        :meth:`release`.
        """
        margin = max(int(self.step * 50), 1)
        target_base = start.dts if start is not None else near_pts
        for _attempt in range(10):
            c = self.open()
            vs = [s for s in c.streams if s.index == self.vindex][0]
            if decode:
                threaded(vs)
            target = target_base - margin
            from_start = target <= self.p0 - 20 * self.step
            try:
                if not from_start:
                    c.seek(int(target), stream=vs, backward=True)
                demux = c.demux(vs)
                found, too_late = _find_start(demux, start, near_pts)
            except av.FFmpegError as exc:
                self.release(c)
                raise MediaError("read_failed", detail=str(exc)) from exc
            if found is not None:
                return c, vs, chain(found, demux)
            self.release(c)
            if from_start or not too_late and start is None:
                break
            margin *= 3
        raise MediaError("seek_failed")


def threaded(vs) -> None:
    """Decode ``vs`` on every core (frame threads); a decoder already open already does."""
    if not vs.codec_context.is_open:
        vs.thread_type = "AUTO"


def _find_start(demux, start, near_pts: int):
    """(the packet ``start``, or the keyframe at or before ``near_pts``, or None; whether
    the demuxer was already past it)."""
    for packet in demux:
        if packet.size == 0 or (packet.dts is None and packet.pts is None):
            continue
        if packet.dts is None:
            packet.dts = packet.pts
        if start is not None:
            if packet.dts > start.dts:
                return None, True
            if packet.pts == start.pts and packet.dts == start.dts:
                return packet, False
        elif packet.is_keyframe and packet.pts is not None:
            if packet.pts > near_pts:
                return None, True
            return packet, False
    return None, False
