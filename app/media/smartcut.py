"""Frame-accurate smart cut of a master into a clip (PyAV; no Flask, no database).

``cut(master_path, in_frame, out_frame, dest_path, progress=None) -> CutReport``

Frames are 0-based in presentation order; ``out_frame`` is exclusive, so the clip holds
``out_frame - in_frame`` frames, the first being source frame ``in_frame``.

How a clip is made
------------------
* **Intra-only video** (ProRes, DNxHD/HR, MJPEG, AVC-Intra, ...): the packets of the
  frames ``in..out-1`` are copied: bit-identical.  Method ``"copy"``.
* **Long-GOP video** (H.264, HEVC, MPEG-2): method ``"smart"``.  The packets in decode
  order from the first *clean random-access point* at or after the in point (an H.264
  IDR, or an open-GOP I frame rewritten into an IDR by :mod:`h264_opengop`; an HEVC
  IDR/BLA/CRA, a CRA being renamed BLA; an MPEG-2 I picture) up to the last
  GOP boundary before the out point are copied unchanged.  The leading pictures of that
  first copied GOP (open-GOP B/RASL pictures that reference the previous GOP) are
  dropped from the copy and re-encoded instead.  The frames before the copied range
  (``in`` .. first copied frame) and after it (.. ``out``) are decoded and re-encoded
  with the source's codec, profile, level, pixel format, size, aspect, interlacing and
  colour metadata, at a transparent quality (x264/x265 CRF 16, MPEG-2 qscale 2);
  head and tail are encoded in parallel up to 720p, one after the other above (two
  1080p x264 instances at once exceed the memory budget).  A clip too short to contain a whole GOP is
  re-encoded whole (still ``"smart"``, with no copied packet, and said in ``notes``).
* **Parameter sets**: the output keeps the master's ``avcC``/``hvcC``.  Re-encoded
  H.264 segments carry their own in-band SPS/PPS with *ids different from the
  master's* (so neither set overwrites the other, also when a player such as Chromium
  re-inserts the ``avcC`` sets at every sync sample); the master's SPS/PPS are repeated
  in-band before the first copied IDR.  HEVC in MP4/MOV: x265's VPS/SPS/PPS are
  renumbered away from the master's ids and join them in the ``hvcC``; no picture
  carries parameter sets in band and the sample entry is ``hvc1``, as Apple and
  Chromium expect.  When that cannot be done (the master has sets in band, or no free
  ids), the segments keep their in-band sets, the master's are repeated before the
  first copied picture and the entry is ``hev1``; ``notes`` says why.  MPEG-2 repeats
  sequence headers anyway.
* **Audio**: every audio stream is cut to the sample at the instants of the in and out
  frames (``round(t * rate)``), padded with silence if the master's audio starts late
  or ends early, so its duration equals the video's.  PCM packets are sliced at
  sample boundaries (never decoded): bit-exact and sample-exact.  AAC in MP4/MOV is
  copied: the packets from the one before the in instant (the decoder's pre-roll) to
  the one holding the out instant, with timestamps that put the in instant at 0; the
  muxer turns the negative start into an edit list, which FFmpeg applies to the sample
  (tested), and the last packet's duration ends the track at the out instant (FFmpeg
  still decodes that packet whole: up to 1023 samples more).  No decode, no
  re-encode, no join.  A player ignoring edit lists would start up to two AAC frames
  early.  Other compressed audio (MP2, AC-3 in MPEG-TS ..., or AAC with gaps in its
  timestamps or odd packets at the in point) is decoded and re-encoded with the same
  codec, rate, layout and bit rate; the decoded frames are placed by their
  timestamps (a gap at a splice filled with silence, an overlap dropped), so a
  master spliced by stream copy stays in sync after each splice.
* **Container**: MP4 stays MP4, MOV stays MOV, MXF stays MXF (OP1a), MPEG-TS stays
  MPEG-TS (its codecs, MPEG-2 video and MP2/AC-3 audio, are not at home in MP4); any
  other container becomes MOV.  :func:`output_extension` names it.  The clip's start
  timecode is the master's timecode at the in point: written as a ``timecode`` tag
  (a ``tmcd`` track in MOV/MP4, the material package timecode in MXF); in MPEG-2 the
  GOP headers carry it (copied GOPs keep the master's, which is the same count).
* The file is written to a temporary name in the destination directory and moved into
  place with ``os.replace``; on any error the temporary file is removed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import heapq
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

import av
from av.stream import Disposition
from av.video.frame import PictureType

from app.media import cut_bitstream as bs
from app.media import h264_opengop
from app.media import timecode as tcm
from app.media.errors import MediaError

__all__ = ["AudioReport", "CutReport", "cut", "output_extension", "SMART_CODECS"]

#: Long-GOP codecs the engine cuts smartly, with the encoder used for their joins.
SMART_CODECS = {"h264": "libx264", "hevc": "libx265", "mpeg2video": "mpeg2video"}

#: x264/x265 presets and quality of the re-encoded joins (benchmarked in benchmarks/).
X264_PRESET = "veryfast"  # at 1080p noise: min PSNR 44.6 dB vs the master at CRF 16
X264_CRF = "16"
X265_PRESET = "faster"
X265_CRF = "16"
#: Above this many pixels, head and tail are encoded one after the other (each encoder
#: already uses both cores; two 1080p x264 instances at once exceed the memory budget).
PARALLEL_MAX_PIXELS = 1280 * 720
MPEG2_QSCALE = 2

_MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"

#: Bytes per sample of the PCM codecs whose packets are cut without decoding.
_PCM_BYTES = {
    "pcm_s16le": 2, "pcm_s16be": 2, "pcm_s24le": 3, "pcm_s24be": 3, "pcm_s32le": 4,
    "pcm_s32be": 4, "pcm_f32le": 4, "pcm_f32be": 4, "pcm_f64le": 8, "pcm_f64be": 8,
    "pcm_s8": 1,
}  # fmt: skip


# ---------------------------------------------------------------------------- report


@dataclass
class AudioReport:
    index: int  # output audio stream number (0-based among audio streams)
    codec: str
    handling: str  # "pcm-copy" (bit-exact, sample-exact) or "reencode"
    sample_rate: int
    channels: int
    samples: int
    padded_start: int = 0  # silence samples added where the master had no audio
    padded_end: int = 0


@dataclass
class CutReport:
    in_frame: int
    out_frame: int
    frames: int
    method: str  # "copy" | "smart" | "reencode"
    container: str
    video_codec: str
    copied_packets: int = 0
    copied_frames: int = 0
    copied_range: tuple[int, int] | None = None  # source frames [a, b)
    reencoded_frames: int = 0
    reencoded_ranges: list[tuple[int, int]] = field(default_factory=list)
    encoder: str | None = None
    audio: list[AudioReport] = field(default_factory=list)
    start_timecode: str | None = None
    frame_rate: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------------------- public


def output_extension(master_path: str | os.PathLike) -> str:
    """File extension (with the dot) of the clip cut from ``master_path``."""
    fmt, ext = _output_format(str(master_path))
    return ext


def _output_format(master_path: str, format_name: str | None = None) -> tuple[str, str]:
    ext = os.path.splitext(master_path)[1].lower()
    if format_name is None:
        try:
            with av.open(master_path, metadata_errors="ignore") as c:
                format_name = c.format.name
        except (av.FFmpegError, OSError):
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


def cut(
    master_path: str | os.PathLike,
    in_frame: int,
    out_frame: int,
    dest_path: str | os.PathLike,
    progress: Callable[[float], None] | None = None,
) -> CutReport:
    """Cut frames ``[in_frame, out_frame)`` of ``master_path`` into ``dest_path``.

    Raises ``ValueError`` for a bad selection and :class:`MediaError` for a master that
    cannot be read or cut.  ``dest_path`` is written atomically.
    """
    for name, value in (("in_frame", in_frame), ("out_frame", out_frame)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if in_frame < 0:
        raise ValueError("in_frame must be >= 0")
    if out_frame <= in_frame:
        raise ValueError("out_frame must be greater than in_frame (out is exclusive)")
    master_path = os.fspath(master_path)
    dest_path = os.fspath(dest_path)
    if not os.path.isfile(master_path):
        raise MediaError(f"The master file does not exist: {master_path}")
    dest_dir = os.path.dirname(os.path.abspath(dest_path))
    base = os.path.basename(dest_path)
    stem, ext = os.path.splitext(base)
    tmp = os.path.join(dest_dir, f".{stem}.{uuid.uuid4().hex[:12]}.partial{ext}")
    try:
        job = _CutJob(master_path, in_frame, out_frame, tmp, progress)
        report = job.run()
        os.replace(tmp, dest_path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    if progress is not None:
        progress(1.0)
    return report


# ---------------------------------------------------------------------------- internals


@dataclass
class _Pkt:
    pts: int
    dts: int
    key: bool  # the container says: a keyframe (decoding may start here)
    rap: bool  # a clean random-access point (copy may start here)
    cra: bool = False  # HEVC CRA (renamed BLA when a copy starts there)
    ps: bool = False  # HEVC: parameter sets in band (then the track stays hev1)
    open_i: bool = False  # H.264 open-GOP I frame (made an IDR when a copy starts there)


def _open(path: str) -> av.container.InputContainer:
    try:
        return av.open(path, metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"The file cannot be read as a media file ({exc}).") from exc


class _Progress:
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


class _CutJob:
    def __init__(self, path, in_frame, out_frame, tmp, progress):
        self.path = path
        self.in_frame = in_frame
        self.out_frame = out_frame
        self.tmp = tmp
        self.progress = _Progress(progress)
        self.t0 = time.monotonic()
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self._encoded_count = 0
        self._count_lock = threading.Lock()

        self.container = _open(path)
        c = self.container
        videos = [s for s in c.streams.video if not s.disposition & Disposition.attached_pic]
        if not videos:
            raise MediaError("The file contains no video stream.")
        self.vs = videos[0]
        self.vindex = self.vs.index
        self.vctx = self.vs.codec_context
        self.codec = self.vctx.name
        self.tb: Fraction = self.vs.time_base
        rate = self.vs.average_rate or self.vs.guessed_rate or self.vs.base_rate
        if not rate or not self.tb:
            raise MediaError("The video stream has no frame rate.")
        self.rate = Fraction(rate)
        self.step = 1 / (self.rate * self.tb)  # ticks per frame (a Fraction)
        self.audio_streams = [s for s in c.streams.audio if s.codec_context is not None]
        self.fmt, self.ext = _output_format(path, c.format.name)
        desc = av.codec.Codec(self.codec, "r")
        self.intra = bool(desc.intra_only) or self.codec in ("prores", "dnxhd", "mjpeg")
        self.smart = self.codec in SMART_CODECS
        self.len_size, self.param_sets = (None, [])
        self.out_of_band = False  # HEVC parameter sets all in the hvcC (track hvc1)
        if self.codec in ("h264", "hevc"):
            self.len_size, self.param_sets = bs.parameter_sets(self.codec, self.vctx.extradata)
        self.open_gop = False  # copies may start at an open-GOP I frame (made an IDR)
        self.open_gop_why = ""
        if self.codec == "h264":
            try:
                h264_opengop.OpenGopRewriter(self.param_sets)
                self.open_gop = True
            except (h264_opengop.Unsupported, IndexError) as exc:
                self.open_gop_why = str(exc) or "unreadable parameter sets"
        self.p0 = self._first_pts()

    # -- frame index <-> pts (constant frame rate; checked against the packets)

    def pts_of(self, index: int) -> int:
        return self.p0 + round(index * self.step)

    def index_of(self, pts: int) -> int:
        return round((pts - self.p0) / self.step)

    def _first_pts(self) -> int:
        c = _open(self.path)
        try:
            vs = [s for s in c.streams if s.index == self.vindex][0]
            vs.thread_type = "AUTO"
            for packet in c.demux(vs):
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    continue
                for frame in frames:
                    if frame.pts is not None:
                        return frame.pts
            raise MediaError("The video stream holds no decodable frame.")
        except av.FFmpegError as exc:
            raise MediaError(f"The video cannot be decoded ({exc}).") from exc
        finally:
            c.close()

    # -- packet scan

    def _is_rap(self, packet) -> tuple[bool, bool, bool, bool]:
        """(random-access point, HEVC CRA, HEVC parameter sets in band, H.264 open-GOP I)."""
        if not packet.is_keyframe:
            return False, False, False, False
        if self.codec == "h264":
            data = bytes(packet)
            types = bs.nal_types("h264", data, self.len_size)
            if bs.H264_IDR in types:
                return True, False, False, False
            open_i = self.open_gop and h264_opengop.is_i_picture(data, self.len_size)
            return open_i, False, False, open_i
        if self.codec == "hevc":
            types = bs.nal_types("hevc", bytes(packet), self.len_size)
            irap = [t for t in types if t in bs.HEVC_IRAP]
            ps = any(t in bs.HEVC_PARAMETER_SETS for t in types)
            return bool(irap), bool(irap) and irap[0] == bs.HEVC_CRA, ps, False
        return True, False, False, False

    def _open_at(self, start: _Pkt | None, near_pts: int, decode: bool = False):
        """Open the master positioned so that the first video packet is ``start`` (or,
        with ``start`` None, a keyframe whose pts is <= ``near_pts``).

        Returns ``(container, stream, packets)``; ``packets`` iterates the video packets
        in decode order from there on.  The caller closes the container.
        """
        margin = max(int(self.step * 50), 1)
        target_base = start.dts if start is not None else near_pts
        for _attempt in range(10):
            c = _open(self.path)
            vs = [s for s in c.streams if s.index == self.vindex][0]
            if decode:
                vs.thread_type = "AUTO"
            target = target_base - margin
            from_start = target <= self.p0 - 20 * self.step
            try:
                if not from_start:
                    c.seek(int(target), stream=vs, backward=True)
                demux = c.demux(vs)
                found = None
                too_late = False
                for packet in demux:
                    if packet.size == 0 or (packet.dts is None and packet.pts is None):
                        continue
                    if packet.dts is None:
                        packet.dts = packet.pts
                    if start is not None:
                        if packet.dts > start.dts:
                            too_late = True
                            break
                        if packet.pts == start.pts and packet.dts == start.dts:
                            found = packet
                            break
                    elif packet.is_keyframe and packet.pts is not None:
                        if packet.pts > near_pts:
                            too_late = True
                        else:
                            found = packet
                        break
            except av.FFmpegError as exc:
                c.close()
                raise MediaError(f"The video cannot be read ({exc}).") from exc
            if found is not None:
                return c, vs, _chain(found, demux)
            c.close()
            if from_start or not too_late and start is None:
                break
            margin *= 3
        raise MediaError("The video cannot be positioned at the requested frame.")

    def _scan(self, t_in: int, t_out: int) -> tuple[list[_Pkt], bool]:
        """Packet metadata in decode order from a keyframe at or before ``t_in`` to just
        past the first keyframe at or after ``t_out``.  Returns (packets, reached_eof)."""
        c, vs, packets = self._open_at(None, t_in)
        pkts: list[_Pkt] = []
        eof = True
        after_key: int | None = None
        try:
            for packet in packets:
                if packet.size == 0:
                    continue
                if packet.pts is None or packet.dts is None:
                    if packet.pts is None:
                        raise MediaError("The video packets carry no timestamps.")
                    packet.dts = packet.pts
                if after_key is not None and packet.pts > after_key:
                    eof = False
                    break
                rap, cra, ps, open_i = self._is_rap(packet)
                key = bool(packet.is_keyframe)
                pkts.append(_Pkt(packet.pts, packet.dts, key, rap, cra, ps, open_i))
                if after_key is None and packet.is_keyframe and packet.pts >= t_out:
                    after_key = packet.pts
        except av.FFmpegError as exc:
            raise MediaError(f"The video cannot be read ({exc}).") from exc
        finally:
            c.close()
        return pkts, eof

    # -- decode and encode

    def _decode(self, start: _Pkt, wanted: list[int]) -> Iterator[av.VideoFrame]:
        """Decoded frames whose pts are in ``wanted`` (sorted), starting at keyframe
        ``start`` (its leading pictures skipped)."""
        if not wanted:
            return
        c, vs, packets = self._open_at(start, start.pts, decode=True)
        want = set(wanted)
        last = wanted[-1]
        got = 0
        try:
            done = False
            for packet in packets:
                if packet.size == 0:
                    continue  # the demuxer's end-of-stream packet: flushed below
                if packet.pts is not None and packet.pts < start.pts:
                    continue  # a leading picture of the start keyframe
                for frame in vs.decode(packet):
                    if frame.pts in want:
                        got += 1
                        yield frame
                    if frame.pts is not None and frame.pts >= last:
                        done = True
                if done:
                    break
            if not done:
                for frame in vs.decode(None):
                    if frame.pts in want:
                        got += 1
                        yield frame
        finally:
            c.close()
        if got != len(wanted):
            raise MediaError(
                f"Decoding gave {got} of the {len(wanted)} frames expected "
                "(damaged or variable-frame-rate video)."
            )

    def _encoder(self, n_frames: int, first_index: int):
        name = SMART_CODECS.get(self.codec, "libx264")
        cc = av.CodecContext.create(name, "w")
        src = self.vctx
        cc.width = src.width
        cc.height = src.height
        cc.pix_fmt = src.pix_fmt or "yuv420p"
        cc.time_base = 1 / self.rate  # frame-based (MPEG-2 demands it)
        cc.framerate = self.rate
        if src.sample_aspect_ratio:
            cc.sample_aspect_ratio = src.sample_aspect_ratio
        for attr in ("color_range", "color_primaries", "color_trc", "colorspace"):
            value = getattr(src, attr, None)
            if value:
                setattr(cc, attr, value)
        cc.gop_size = n_frames + 1
        bframes = src.has_b_frames > 0 if src.has_b_frames is not None else True
        interlaced = self.field_order in ("tt", "bb", "tb", "bt")
        tff = self.field_order in ("tt", "tb")
        opts: dict[str, str] = {}
        if name == "libx264":
            params = [
                f"sps-id={self.x264_sps_id}",
                f"keyint={n_frames + 1}",
                f"min-keyint={n_frames + 1}",
                "scenecut=0",
                "open-gop=0",
                f"bframes={3 if bframes else 0}",
                f"b-pyramid={'normal' if bframes and src.has_b_frames >= 2 else 'none'}",
            ]
            if interlaced:
                params.append("tff=1" if tff else "bff=1")
            opts.update({"preset": X264_PRESET, "crf": X264_CRF, "x264-params": ":".join(params)})
            profile = _x264_profile(src.profile)
            if profile:
                opts["profile"] = profile
            if src.level and src.level > 0:
                opts["level"] = f"{src.level / 10:.1f}"
        elif name == "libx265":
            params = [
                f"keyint={n_frames + 1}",
                f"min-keyint={n_frames + 1}",
                "scenecut=0",
                "open-gop=0",
                f"bframes={4 if bframes else 0}",
                "repeat-headers=1",
                "annexb=1",
                "info=0",
                "log-level=error",
            ]
            if src.level and src.level > 0:
                params.append(f"level-idc={src.level / 30:.1f}")
            if interlaced:
                params.append("interlace=" + ("tff" if tff else "bff"))
            opts.update({"preset": X265_PRESET, "crf": X265_CRF, "x265-params": ":".join(params)})
            profile = (src.profile or "").lower().replace(" ", "")
            if profile in ("main", "main10", "mainstillpicture"):
                opts["profile"] = profile
        elif name == "mpeg2video":
            cc.qscale = True
            cc.global_quality = MPEG2_QSCALE * 118  # FF_QP2LAMBDA
            cc.max_b_frames = 2 if bframes else 0
            flags = "+cgop"
            if interlaced:
                flags += "+ildct+ilme"
            opts.update({"flags": flags, "sc_threshold": "1000000000"})
        cc.options = opts
        cc.thread_type = "AUTO"
        return cc

    def _encode_segment(self, start: _Pkt, wanted: list[int]) -> list[tuple]:
        """Re-encode the frames ``wanted``; packets as (data, pts, dts, key) in the
        source time base, on the clip's timeline."""
        enc = self._encoder(len(wanted), self.index_of(wanted[0]))
        out: list[tuple] = []
        shift = self.t_in
        gop_tc = None
        if self.codec == "mpeg2video" and self.start_tc:
            gop_tc = tcm.index_to_tc(self.index_of(wanted[0]), self.start_tc, self.rate)

        def take(packets):
            for p in packets:
                data = bytes(p)
                if self.codec in ("h264", "hevc"):
                    nals = bs.split_annexb(data)
                    data = (
                        bs.to_length_prefixed(nals, self.len_size)
                        if self.len_size
                        else bs.to_annexb(nals)
                    )
                if gop_tc:  # the segment is one GOP: it starts at this timecode
                    data = bs.mpeg2_set_gop_timecode(data, gop_tc)
                pts = round(p.pts * self.step)
                dts = round(p.dts * self.step) if p.dts is not None else pts
                out.append((data, pts, dts, bool(p.is_keyframe)))

        for frame in self._decode(start, wanted):
            frame.pts = round((frame.pts - shift) / self.step)
            frame.time_base = 1 / self.rate
            frame.pict_type = PictureType.NONE
            take(enc.encode(frame))
            with self._count_lock:
                self._encoded_count += 1
        take(enc.encode(None))
        return _sane_dts(out)

    # -- audio

    def _pcm_packets(self, stream_index, out_stream, report, block: int, sample_bytes: int):
        """PCM packets sliced at the in/out samples: the bytes are the master's."""
        c = _open(self.path)
        s = [st for st in c.streams if st.index == stream_index][0]
        rate = s.codec_context.sample_rate
        t_start = self.t_in * self.tb
        n_total = round(self.duration_s * rate)
        tb = Fraction(1, rate)
        written = 0

        def packet(data: bytes, n: int):
            nonlocal written
            p = av.Packet(data)
            p.pts = p.dts = written
            p.duration = n
            p.time_base = tb
            p.stream = out_stream
            written += n
            return p

        try:
            sought = t_start > 1 and s.time_base is not None
            if sought:
                c.seek(max(int((t_start - Fraction(1, 2)) / s.time_base), 0), stream=s)
            position: int | None = None
            for pkt in c.demux(s):
                if pkt.size == 0 or pkt.pts is None:
                    continue
                data = bytes(pkt)
                if not block:  # derive the sample block size from the first packet
                    if not pkt.duration:
                        raise MediaError("PCM audio without block alignment cannot be cut.")
                    block = round(len(data) / (pkt.duration * pkt.time_base * rate))
                    report.channels = block // sample_bytes
                n = len(data) // block
                if position is None:
                    position = round((pkt.pts * pkt.time_base - t_start) * rate)
                    if position > 0 and sought:
                        c.seek(0, stream=s)
                        sought = False
                        position = None
                        continue
                f_start = position
                position += n
                if position <= written:
                    continue
                if f_start >= n_total:
                    break
                if f_start > written:
                    gap = min(f_start, n_total) - written
                    if written == 0:
                        report.padded_start += gap
                    yield packet(bytes(gap * block), gap)
                a = written - f_start
                b = min(n, n_total - f_start)
                yield packet(data[a * block : b * block], b - a)
                if written >= n_total:
                    break
            if written < n_total:
                gap = n_total - written
                report.padded_end += gap
                yield packet(bytes(gap * block), gap)
        finally:
            c.close()
        report.samples = written

    def _aac_packets(self, stream_index: int) -> list[tuple[bytes, int, int]] | None:
        """The master's AAC packets that cover the clip, as (data, pts, duration) in
        samples on the clip's timeline, or None when they cannot simply be copied.

        The first packet starts at or before the in instant (negative pts) and is
        preceded by one more packet: the decoder needs it to overlap-add the first
        samples, and the MOV muxer turns the negative start into an edit list that
        players trim sample-exactly.  The last packet's duration is cut to the out
        instant, so the track lasts exactly as long as the video.  None for gaps,
        irregular packets, or a master whose audio does not span the clip (the
        re-encode pads those with silence).
        """
        t_start = self.t_in * self.tb
        for seek in (True, False) if t_start > 1 else (False,):
            c = _open(self.path)
            try:
                s = [st for st in c.streams if st.index == stream_index][0]
                rate = s.codec_context.sample_rate
                frame = s.codec_context.frame_size or 1024
                if s.time_base != Fraction(1, rate):
                    return None
                n_total = round(self.duration_s * rate)
                if seek:
                    c.seek(max(int((t_start - 1) / s.time_base), 0), stream=s)
                got: list[tuple[bytes, int, int]] = []
                end = None
                irregular = False
                late = False
                for p in c.demux(s):
                    if p.size == 0:
                        continue
                    if p.pts is None:
                        return None
                    pts = round((p.pts * s.time_base - t_start) * rate)
                    dur = p.duration or frame
                    if pts + dur <= 0:
                        got = [(bytes(p), pts, dur)]  # pre-roll: only the last one
                        end = pts + dur
                        irregular = dur != frame
                        continue
                    if not got and pts > 0:
                        late = True  # the audio starts after the in instant
                        break
                    if end is not None and pts != end:
                        return None  # a gap or an overlap
                    if pts <= 0:  # the first packet
                        irregular = irregular or dur != frame and pts + dur < n_total
                    end = pts + dur
                    got.append((bytes(p), pts, min(dur, n_total - pts)))
                    if end >= n_total:
                        # the edit list trims the first packet exactly only if it and
                        # its pre-roll are whole frames (the last may be short: the
                        # master's own end); short packets between, where the master
                        # was spliced, are kept as they are
                        if irregular:
                            return None
                        return got
                if not late:
                    return None  # the audio ends before the out instant
            except av.FFmpegError:
                return None
            finally:
                c.close()
        return None

    def _audio_packets(self, stream_index: int, out_stream, report: AudioReport):
        """Encoded packets of one audio stream, cut at the video's in/out instants."""
        try:
            yield from self._audio_once(stream_index, out_stream, report, seek=True)
        except _Reseek:  # the seek landed after the in point: read from the start
            yield from self._audio_once(stream_index, out_stream, report, seek=False)

    def _audio_once(self, stream_index: int, out_stream, report: AudioReport, seek: bool):
        c = _open(self.path)
        s = [st for st in c.streams if st.index == stream_index][0]
        rate = s.codec_context.sample_rate
        t_start = self.t_in * self.tb
        n_total = round(self.duration_s * rate)
        enc = out_stream.codec_context
        written = 0
        pts = 0
        layout = enc.layout
        # Timestamps place each decoded frame (spliced masters jump at the splices),
        # but they are rounded to their clock: within a millisecond, or one tick of a
        # coarser clock, the count of samples rules, so rounding never makes a click.
        tick = s.time_base * rate if s.time_base else 0
        slack = max(rate // 1000, math.ceil(tick) + 1)

        def emit(frame):
            nonlocal pts
            frame.pts = pts
            frame.time_base = Fraction(1, rate)
            pts += frame.samples
            yield from out_stream.encode(frame)

        def silence(n, fmt):
            frame = av.AudioFrame(format=fmt, layout=layout, samples=n)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = rate
            return frame

        fmt_name = enc.format.name if enc.format else None
        try:
            sought = seek and t_start > 1 and s.time_base is not None
            if sought:
                c.seek(max(int((t_start - Fraction(1, 2)) / s.time_base), 0), stream=s)
            position: int | None = None  # clip sample index of the next decoded sample
            for packet in c.demux(s):
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    continue
                for frame in frames:
                    if frame.samples == 0:
                        continue
                    fmt_name = frame.format.name
                    at = None
                    if frame.pts is not None:
                        at = round((frame.pts * frame.time_base - t_start) * rate)
                    if position is None:
                        if at is None:
                            continue
                        position = at
                        if position > 0 and sought:
                            raise _Reseek
                    elif at is not None and abs(at - position) > slack:
                        # a splice: the timestamps place the frame, not the count of
                        # samples before it (a gap is filled, an overlap dropped below)
                        position = at
                    f_start = position
                    position += frame.samples
                    if position <= written:
                        continue  # before the in point
                    if f_start >= n_total:
                        break
                    if f_start > written:  # the master has no audio here: silence
                        gap = min(f_start, n_total) - written
                        if written == 0:
                            report.padded_start += gap
                        yield from emit(silence(gap, fmt_name))
                        written += gap
                    a = written - f_start
                    b = min(frame.samples, n_total - f_start)
                    yield from emit(_slice_audio(frame, a, b, layout))
                    written = f_start + b
                if position is not None and position >= n_total:
                    break
            if written < n_total:
                gap = n_total - written
                report.padded_end += gap
                yield from emit(silence(gap, fmt_name))
                written = n_total
            yield from out_stream.encode(None)
        finally:
            c.close()
        report.samples = written

    # -- the cut

    def run(self) -> CutReport:
        self.field_order = getattr(self.vctx, "field_order", None) or ""
        self.start_tc = self._start_timecode()
        self.t_in = self.pts_of(self.in_frame)
        self.t_out = self.pts_of(self.out_frame)
        n = self.out_frame - self.in_frame
        self.duration_s = n / self.rate
        clip_tc = None
        if self.start_tc:
            try:
                clip_tc = tcm.index_to_tc(self.in_frame, self.start_tc, self.rate)
            except ValueError:
                self.notes.append(f"master timecode {self.start_tc!r} not understood")
        report = CutReport(
            in_frame=self.in_frame,
            out_frame=self.out_frame,
            frames=n,
            method="copy",
            container=self.fmt,
            video_codec=self.codec,
            start_timecode=clip_tc,
            frame_rate=str(self.rate),
        )
        self.x264_sps_id = 0
        if self.codec == "h264":
            used = bs.h264_sps_ids(self.param_sets) | bs.h264_pps_ids(self.param_sets)
            self.x264_sps_id = next(i for i in (3, 7, 11, 15, 21, 31) if i not in used)

        pkts, eof = self._scan(self.t_in, self.t_out)
        self.timings["scan"] = time.monotonic() - self.t0
        pts_set = {p.pts for p in pkts}
        if self.pts_of(self.out_frame - 1) not in pts_set:
            raise MediaError(
                f"The selection ends beyond the last frame of the master (frame "
                f"{self.out_frame - 1} does not exist)."
            )
        if self.t_in not in pts_set:
            raise MediaError(f"Frame {self.in_frame} cannot be found in the master.")

        if self.intra:
            plan = _Plan(copy_from=0, copy_to=None, head=[], tail=[], pkts=pkts)
            report.method = "copy"
        elif self.smart:
            plan = self._plan(pkts, eof)
            if plan.copy_from is not None and pkts[plan.copy_from].open_i:
                why = self._check_open_gop(plan)
                if why:
                    # this stream's references cannot be renumbered: copy from IDRs only
                    self.notes.append(f"open-GOP I frame not made an IDR ({why})")
                    for p in pkts:
                        if p.open_i:
                            p.rap = p.open_i = False
                    plan = self._plan(pkts, eof)
            report.method = "smart"
            report.encoder = SMART_CODECS[self.codec]
        else:
            # no smart cut for this codec: decode the selection, encode it as H.264
            plan = _Plan(copy_from=None, copy_to=None, head=[], tail=[], pkts=pkts)
            plan.full = self._grid(self.t_in, self.t_out)
            plan.head_start = [p for p in pkts if p.key and p.pts <= self.t_in][-1]
            report.method = "reencode"
            report.encoder = "libx264"
            report.video_codec = f"{self.codec} -> h264"
            report.reencoded_frames = n
            report.reencoded_ranges = [(self.in_frame, self.out_frame)]
            self.notes.append(
                f"no smart cut for {self.codec} (not intra-only, not H.264/HEVC/MPEG-2): "
                "the clip is re-encoded whole to H.264"
            )

        # head and tail re-encodes, in parallel
        segments: dict[str, list[tuple]] = {"head": [], "tail": []}
        jobs = {}
        total_encode = len(plan.head) + len(plan.tail)
        t_enc = time.monotonic()
        if total_encode:
            workers = 2 if self.vctx.width * self.vctx.height <= PARALLEL_MAX_PIXELS else 1
            with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
                if plan.head:
                    jobs["head"] = pool.submit(self._encode_segment, plan.head_start, plan.head)
                if plan.tail:
                    jobs["tail"] = pool.submit(self._encode_segment, plan.tail_start, plan.tail)
                pending = set(jobs.values())
                while pending:
                    _done, pending = concurrent.futures.wait(pending, timeout=0.25)
                    self.progress(0.5 * self._encoded_count / total_encode)
                for name, fut in jobs.items():
                    segments[name] = fut.result()
        self.timings["encode"] = time.monotonic() - t_enc
        if plan.head:
            report.reencoded_ranges.append(
                (self.index_of(plan.head[0]), self.index_of(plan.head[-1]) + 1)
            )
        if plan.tail:
            report.reencoded_ranges.append(
                (self.index_of(plan.tail[0]), self.index_of(plan.tail[-1]) + 1)
            )
        if not plan.full:
            report.reencoded_frames = len(plan.head) + len(plan.tail)

        t_mux = time.monotonic()
        self._mux(plan, segments, report, clip_tc)
        self.timings["mux"] = time.monotonic() - t_mux
        self.timings["total"] = time.monotonic() - self.t0
        report.timings = {k: round(v, 4) for k, v in self.timings.items()}
        report.notes = self.notes
        if report.copied_frames + report.reencoded_frames != n:
            raise MediaError(
                f"Internal error: {report.copied_frames} copied + "
                f"{report.reencoded_frames} re-encoded frames != {n}"
            )
        return report

    def _grid(self, a: int, b: int) -> list[int]:
        """The frame pts in [a, b)."""
        return [self.pts_of(i) for i in range(self.index_of(a), self.index_of(b))]

    def _plan(self, pkts: list[_Pkt], eof: bool) -> _Plan:
        t_in, t_out = self.t_in, self.t_out
        keys = [i for i, p in enumerate(pkts) if p.key]
        lead: dict[int, list[int]] = {}
        for n_k, k in enumerate(keys):
            end = keys[n_k + 1] if n_k + 1 < len(keys) else len(pkts)
            lead[k] = [j for j in range(k + 1, end) if pkts[j].pts < pkts[k].pts]

        def lead_start(k: int) -> int:
            return min([pkts[j].pts for j in lead[k]] + [pkts[k].pts])

        def decode_start(pts: int) -> _Pkt:
            cands = [k for k in keys if pkts[k].pts <= pts]
            if not cands:
                raise MediaError("No keyframe precedes the requested frame.")
            return pkts[cands[-1]]

        s = next((k for k in keys if pkts[k].rap and pkts[k].pts >= t_in), None)
        plan = _Plan(copy_from=None, copy_to=None, head=[], tail=[], pkts=pkts)
        copy_end_pts = None
        e = None
        if s is not None and pkts[s].pts < t_out:
            later = [k for k in keys if k > s and lead_start(k) <= t_out]
            if later:
                e = later[-1]
                copy_end_pts = lead_start(e)
            if eof and all(p.pts < t_out for p in pkts[s:]):
                e = len(pkts)
                copy_end_pts = t_out
            if e is not None and copy_end_pts is not None and copy_end_pts > pkts[s].pts:
                skip = set(lead[s])
                chosen = [pkts[j].pts for j in range(s, e) if j not in skip]
                if sorted(chosen) == self._grid(pkts[s].pts, copy_end_pts):
                    plan.copy_from, plan.copy_to = s, e
                    plan.copy_skip = skip
                else:
                    self.notes.append("packets between keyframes are not contiguous: no copy")
                    e = None
            else:
                e = None
        if plan.copy_from is None:
            open_keys = [k for k in keys if pkts[k].pts >= t_in and not pkts[k].rap]
            if s is None and open_keys:
                self.notes.append(
                    "no IDR in the selection, only open-GOP keyframes that could not be "
                    "made IDRs: re-encoded whole"
                    + (f" ({self.open_gop_why})" if self.open_gop_why else "")
                )
            else:
                self.notes.append("the clip holds no whole GOP: re-encoded whole")
            plan.head = self._grid(t_in, t_out)
            plan.head_start = decode_start(t_in)
            return plan
        head_end = pkts[s].pts
        plan.head = self._grid(t_in, head_end)
        plan.head_start = decode_start(t_in)
        plan.tail = self._grid(copy_end_pts, t_out)
        if plan.tail:
            plan.tail_start = decode_start(copy_end_pts)
        plan.copy_first_pts = head_end
        plan.copy_end_pts = copy_end_pts
        return plan

    def _start_timecode(self) -> str | None:
        c = self.container
        for meta in [self.vs.metadata, c.metadata] + [s.metadata for s in c.streams]:
            value = meta.get("timecode")
            if value:
                try:
                    tcm.parse_tc(value, self.rate)
                    return value
                except ValueError:
                    continue
        if self.codec == "mpeg2video":
            cc = _open(self.path)
            try:
                vs = [s for s in cc.streams if s.index == self.vindex][0]
                for packet in cc.demux(vs):
                    if packet.size:
                        found = bs.mpeg2_gop_timecode(bytes(packet))
                        if found:
                            value, drop = found
                            try:
                                tcm.parse_tc(value, self.rate)
                                return value
                            except ValueError:
                                return None
                    break
            finally:
                cc.close()
        return None

    # -- muxing

    def _hevc_sample_entry(self, ov, plan: _Plan, segments: dict) -> None:
        """Tag the HEVC track ``hvc1`` with every parameter set in its ``hvcC`` when they
        fit there, else ``hev1`` (parameter sets in band).

        They fit when x265 gave the same sets to every segment, no copied picture
        carries sets in band, and x265's ids can be renumbered away from the master's
        (see :func:`cut_bitstream.hevc_renumber`).  The segments are rewritten in place.
        """
        ov.codec_context.codec_tag = "hev1"
        self.out_of_band = False
        encoded = [p for name in ("head", "tail") for p in segments[name]]
        if not self.len_size:
            return  # Annex B extradata: no hvcC to put the sets in
        if not encoded:
            if not any(p.ps for p in plan.pkts):
                ov.codec_context.codec_tag = "hvc1"  # the master's own sets, in its hvcC
                self.out_of_band = True
            return
        ours: list[bytes] = []
        for data, *_ in encoded:
            for nal in bs.split_length_prefixed(data, self.len_size):
                if bs.hevc_type(nal) in bs.HEVC_PARAMETER_SETS and nal not in ours:
                    ours.append(nal)
        if sorted(bs.hevc_type(n) for n in ours) != list(bs.HEVC_PARAMETER_SETS):
            self.notes.append("x265 gave several parameter sets: HEVC track tagged hev1")
            return
        copying = plan.copy_from is not None
        renumber = None
        if copying:
            skip = plan.copy_skip
            copied = [
                p
                for j, p in enumerate(plan.pkts[plan.copy_from : plan.copy_to])
                if j + plan.copy_from not in skip
            ]
            if any(p.ps for p in copied):
                self.notes.append("the master has parameter sets in band: HEVC track tagged hev1")
                return
            used = bs.hevc_ids(self.param_sets)
            vps = [i for i in range(15, -1, -1) if i not in used[bs.HEVC_VPS]]
            pps = [i for i in range(15, 31) if i not in used[bs.HEVC_PPS]]
            if not vps or not pps or 15 in used[bs.HEVC_SPS]:
                self.notes.append("no free parameter-set ids: HEVC track tagged hev1")
                return
            renumber = (vps[0], 15, pps[0])
        try:
            rewritten = {}
            for name in ("head", "tail"):
                packets = []
                for data, pts, dts, key in segments[name]:
                    nals = [
                        n
                        for n in bs.split_length_prefixed(data, self.len_size)
                        if bs.hevc_type(n) not in bs.HEVC_PARAMETER_SETS
                    ]
                    if renumber:
                        nals = [bs.hevc_renumber(n, *renumber) for n in nals]
                    packets.append((bs.to_length_prefixed(nals, self.len_size), pts, dts, key))
                rewritten[name] = packets
            if renumber:
                ours = [bs.hevc_renumber(n, *renumber) for n in ours]
        except (ValueError, IndexError):
            self.notes.append("x265 parameter sets not renumbered: HEVC track tagged hev1")
            return
        segments.update(rewritten)
        sets = ours
        if copying:  # the master's sets (and SEI) first: its copied pictures use them
            sets = self.param_sets + ours
        ov.codec_context.extradata = bs.hvcc_with(self.vctx.extradata, sets)
        ov.codec_context.codec_tag = "hvc1"
        self.out_of_band = True

    def _mux(self, plan: _Plan, segments: dict, report: CutReport, clip_tc: str | None):
        out = av.open(self.tmp, "w", format=self.fmt)
        try:
            self._mux_into(out, plan, segments, report, clip_tc)
        finally:
            out.close()

    def _mux_into(self, out, plan, segments, report, clip_tc):
        src_meta = {
            k: v
            for k, v in self.container.metadata.items()
            if k
            not in (
                "encoder",
                "major_brand",
                "minor_version",
                "compatible_brands",
                "timecode",
                "material_package_umid",
                "uid",
                "generation_uid",
                "product_uid",
                "operational_pattern_ul",
            )
        }
        out.metadata.update(src_meta)
        if plan.full:
            ov = out.add_stream("libx264", rate=self.rate)
            ov.width, ov.height = self.vctx.width, self.vctx.height
            supported = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le"}
            pix_fmt = self.vctx.pix_fmt
            ov.pix_fmt = pix_fmt if pix_fmt in supported else "yuv420p"
            ov.codec_context.options = {"preset": X264_PRESET, "crf": X264_CRF}
            ov.time_base = 1 / self.rate
            ov.codec_context.time_base = 1 / self.rate
        else:
            ov = out.add_stream_from_template(self.vs)
            ov.time_base = self.tb
        ov.codec_context.framerate = self.rate  # the tmcd track needs the stream's rate
        for k, v in self.vs.metadata.items():
            if k not in ("encoder", "timecode", "file_package_umid", "handler_name", "vendor_id"):
                ov.metadata[k] = v
        if "handler_name" in self.vs.metadata and self.fmt in ("mov", "mp4"):
            ov.metadata["handler_name"] = self.vs.metadata["handler_name"]
        if clip_tc:
            ov.metadata["timecode"] = clip_tc
            if self.fmt in ("mxf", "mov", "mp4"):
                out.metadata["timecode"] = clip_tc
        if self.codec == "hevc" and self.fmt in ("mov", "mp4"):
            self._hevc_sample_entry(ov, plan, segments)
        if self.fmt == "mpegts" and self.codec == "h264" and clip_tc:
            self.notes.append("MPEG-TS with H.264 carries no timecode; reported only")

        audio_outs = []
        for i, s in enumerate(self.audio_streams):
            actx = s.codec_context
            name = actx.name
            rate = actx.sample_rate
            pcm_bytes = _PCM_BYTES.get(name)
            if pcm_bytes and (self.fmt != "mp4"):
                # PCM: the packets' bytes are sliced at sample boundaries, never decoded
                oa = out.add_stream_from_template(s)
                oa.time_base = Fraction(1, rate)
                block = getattr(actx, "block_align", 0) or 0
                ar = AudioReport(
                    index=i,
                    codec=name,
                    handling="pcm-copy",
                    sample_rate=rate,
                    channels=block // pcm_bytes if block else 0,
                    samples=0,
                )
                gen = self._pcm_packets(s.index, oa, ar, block, pcm_bytes)
            elif (
                self.fmt in ("mov", "mp4")
                and name == "aac"
                and actx.profile == "LC"  # HE-AAC's SBR would want a longer pre-roll
                and (copied := self._aac_packets(s.index))
            ):
                # AAC copied whole, trimmed by the edit list: no decode, no re-encode
                oa = out.add_stream_from_template(s)
                oa.time_base = Fraction(1, rate)
                ar = AudioReport(
                    index=i,
                    codec=name,
                    handling="copy",
                    sample_rate=rate,
                    channels=actx.channels,
                    samples=round(self.duration_s * rate),
                )
                gen = _audio_copy(oa, copied)
            else:
                enc_name = name
                if self.fmt == "mxf":
                    enc_name = "pcm_s24le"
                elif pcm_bytes:  # PCM in MP4
                    enc_name = "aac"
                try:
                    av.codec.Codec(enc_name, "w")
                except (av.FFmpegError, ValueError):
                    enc_name = {"mov": "aac", "mp4": "aac", "mpegts": "mp2"}[self.fmt]
                channels = actx.channels
                oa = out.add_stream(enc_name, rate=rate)
                oa.codec_context.layout = _layout_for(channels)
                supported = [f.name for f in (oa.codec_context.codec.audio_formats or [])]
                fmt = actx.format.name if actx.format else None
                oa.codec_context.format = fmt if fmt in supported or not supported else supported[0]
                if not enc_name.startswith("pcm_"):
                    oa.codec_context.bit_rate = actx.bit_rate or 96000 * max(1, channels)
                oa.time_base = Fraction(1, rate)
                ar = AudioReport(
                    index=i,
                    codec=enc_name,
                    handling="reencode",
                    sample_rate=rate,
                    channels=channels,
                    samples=0,
                )
                gen = self._audio_packets(s.index, oa, ar)
            for k, v in s.metadata.items():
                if k not in ("encoder", "vendor_id", "file_package_umid"):
                    oa.metadata[k] = v
            report.audio.append(ar)
            audio_outs.append(gen)

        gens = [self._video_packets(ov, plan, segments, report), *audio_outs]

        def keyed(gen):
            for packet in gen:
                ts = packet.dts if packet.dts is not None else packet.pts
                yield (ts * packet.time_base, packet)

        total = float(self.duration_s) or 1.0
        for t, packet in heapq.merge(*(keyed(g) for g in gens), key=lambda x: x[0]):
            out.mux(packet)
            self.progress(0.5 + 0.5 * float(t) / total)

    def _video_packets(self, ov, plan: _Plan, segments, report) -> Iterator[av.Packet]:
        if plan.full:
            yield from self._full_packets(ov, plan)
            return
        yield from self._smart_packets(ov, plan, segments, report)

    def _full_packets(self, ov, plan: _Plan) -> Iterator[av.Packet]:
        """Decode the selection and encode it with the output stream's encoder."""
        for frame in self._decode(plan.head_start, plan.full):
            frame.pts = round((frame.pts - self.t_in) / self.step)
            frame.time_base = 1 / self.rate
            frame.pict_type = PictureType.NONE
            yield from ov.encode(frame)
            self._encoded_count += 1
            self.progress(self._encoded_count / len(plan.full))
        yield from ov.encode(None)

    def _smart_packets(self, ov, plan: _Plan, segments, report) -> Iterator[av.Packet]:
        step = self.step
        dur = max(1, round(step))
        tb = self.tb
        t_in = self.t_in

        def new_packet(data, pts, dts, key):
            p = av.Packet(data)
            p.pts = pts
            p.dts = dts
            p.time_base = tb
            p.duration = dur
            p.is_keyframe = key
            p.stream = ov
            return p

        head = segments["head"]
        tail = segments["tail"]
        # dts must increase across the joins: shift earlier segments down if needed
        head_shift = mid_shift = 0
        mid_first = mid_last = None
        if plan.copy_from is not None:
            copy_pkts = [
                p
                for j, p in enumerate(plan.pkts[plan.copy_from : plan.copy_to], plan.copy_from)
                if j not in plan.copy_skip
            ]
            if copy_pkts:
                mid_first = copy_pkts[0].dts - t_in
                mid_last = copy_pkts[-1].dts - t_in
        if tail and mid_last is not None:
            first_tail = tail[0][2]
            if mid_last >= first_tail:
                mid_shift = _ceil_to(mid_last - first_tail + 1, dur)
        if head:
            last_head = head[-1][2]
            nxt = None
            if mid_first is not None:
                nxt = mid_first - mid_shift
            elif tail:
                nxt = tail[0][2]
            if nxt is not None and last_head >= nxt:
                head_shift = _ceil_to(last_head - nxt + 1, dur)
        for data, pts, dts, key in head:
            yield new_packet(data, pts, dts - head_shift, key)
        if plan.copy_from is not None:
            yield from self._copied_packets(ov, plan, report, mid_shift)
        for data, pts, dts, key in tail:
            yield new_packet(data, pts, dts, key)

    def _rewrite(self, rewriter, packet, drop: bool = False):
        """``packet`` renumbered by ``rewriter`` (an open-GOP copy), or fed to it as dropped."""
        data = bytes(packet)
        ls = self.len_size
        nals = bs.split_length_prefixed(data, ls) if ls else bs.split_annexb(data)
        try:
            if drop:
                rewriter.drop(nals)
                return packet
            nals = rewriter.copy(nals)
        except (h264_opengop.Unsupported, IndexError) as exc:
            raise MediaError(f"The open-GOP video cannot be cut here ({exc}).") from exc
        new = av.Packet(bs.to_length_prefixed(nals, ls) if ls else bs.to_annexb(nals))
        new.pts, new.dts = packet.pts, packet.dts
        new.time_base = packet.time_base
        new.duration = packet.duration
        new.is_keyframe = packet.is_keyframe
        return new

    def _check_open_gop(self, plan: _Plan) -> str | None:
        """Why the copy cannot start at its open-GOP I frame, or None: the packets are
        run through the rewrite until the numbering is a constant shift (see
        :mod:`h264_opengop`)."""
        start = plan.pkts[plan.copy_from]
        rewriter = h264_opengop.OpenGopRewriter(self.param_sets)
        ls = self.len_size
        try:
            with contextlib.closing(self._range_packets(plan)) as packets:
                for packet in packets:
                    data = bytes(packet)
                    nals = bs.split_length_prefixed(data, ls) if ls else bs.split_annexb(data)
                    if packet.pts < start.pts or self._past_out(plan, packet):
                        rewriter.drop(nals)
                    else:
                        rewriter.copy(nals)
                    if rewriter.shift is not None or rewriter.done:
                        break
        except (h264_opengop.Unsupported, IndexError) as exc:
            return str(exc) or "unreadable slice header"
        self.notes.append("the first copied picture, an open-GOP I frame, was made an IDR")
        return None

    def _range_packets(self, plan: _Plan):
        """The master's packets from the copy's first one up to, not including, the one
        that ends it (none when the copy runs to the end); a missing dts gets the pts."""
        pkts = plan.pkts
        start = pkts[plan.copy_from]
        stop = pkts[plan.copy_to] if plan.copy_to is not None and plan.copy_to < len(pkts) else None
        c, _vs, packets = self._open_at(start, start.pts)
        try:
            for packet in packets:
                if packet.size == 0:
                    continue
                if packet.dts is None:
                    packet.dts = packet.pts
                if stop is not None and packet.pts == stop.pts and packet.dts == stop.dts:
                    return
                yield packet
        finally:
            c.close()

    def _past_out(self, plan: _Plan, packet) -> bool:
        """A packet after the out point of a copy that runs to the end of the master."""
        at_eof = plan.copy_to is not None and plan.copy_to >= len(plan.pkts)
        return at_eof and packet.pts >= self.t_out

    def _copied_packets(self, ov, plan: _Plan, report: CutReport, dts_shift: int):
        start = plan.pkts[plan.copy_from]
        first = True
        count = 0
        copied_pts: list[int] = []
        rewriter = h264_opengop.OpenGopRewriter(self.param_sets) if start.open_i else None
        with contextlib.closing(self._range_packets(plan)) as packets:
            for packet in packets:
                if self.intra:
                    if packet.pts >= self.t_out:
                        break
                    if packet.pts < self.t_in:
                        continue
                elif packet.pts < start.pts:
                    if rewriter:  # it may be a reference the numbering must count
                        self._rewrite(rewriter, packet, drop=True)
                    continue  # leading picture of the first copied GOP: re-encoded
                if not self.intra and self._past_out(plan, packet):
                    if rewriter:
                        self._rewrite(rewriter, packet, drop=True)
                    continue
                if rewriter:
                    packet = self._rewrite(rewriter, packet)
                if first and self.codec == "mpeg2video" and self.start_tc and not self.intra:
                    # the GOP header names its first displayed picture; its leading B
                    # pictures were dropped, so that is now the I picture
                    tc = tcm.index_to_tc(self.index_of(start.pts), self.start_tc, self.rate)
                    new = av.Packet(bs.mpeg2_set_gop_timecode(bytes(packet), tc))
                    new.pts, new.dts = packet.pts, packet.dts
                    new.time_base = packet.time_base
                    new.duration = packet.duration
                    new.is_keyframe = True
                    packet = new
                if first and self.codec in ("h264", "hevc"):
                    data = bytes(packet)
                    if start.cra:
                        data = bs.hevc_cra_to_bla(data, self.len_size)
                    if self.len_size and self.param_sets and not self.out_of_band:
                        data = bs.to_length_prefixed(self.param_sets, self.len_size) + data
                    new = av.Packet(data)
                    new.pts, new.dts = packet.pts, packet.dts
                    new.time_base = packet.time_base
                    new.duration = packet.duration
                    new.is_keyframe = True
                    packet = new
                first = False
                packet.pts = packet.pts - self.t_in
                packet.dts = packet.dts - self.t_in - dts_shift
                packet.stream = ov
                copied_pts.append(packet.pts)
                count += 1
                yield packet
        report.copied_packets = count
        report.copied_frames = count
        if copied_pts:
            a = self.index_of(min(copied_pts) + self.t_in)
            report.copied_range = (a, a + count)


@dataclass
class _Plan:
    copy_from: int | None  # index into pkts of the first copied packet
    copy_to: int | None  # index (exclusive) of the end of the copy, len(pkts) = to EOF
    head: list[int]  # pts of the frames re-encoded before the copy
    tail: list[int]
    pkts: list[_Pkt] = field(default_factory=list)
    copy_skip: set[int] = field(default_factory=set)
    head_start: _Pkt | None = None
    tail_start: _Pkt | None = None
    copy_first_pts: int | None = None
    copy_end_pts: int | None = None
    full: list[int] = field(default_factory=list)  # frames of a full re-encode


def _chain(first, rest):
    yield first
    yield from rest


def _audio_copy(out_stream, packets: list[tuple[bytes, int, int]]) -> Iterator[av.Packet]:
    tb = out_stream.time_base
    for data, pts, dur in packets:
        p = av.Packet(data)
        p.pts = p.dts = pts
        p.duration = dur
        p.time_base = tb
        p.stream = out_stream
        yield p


def _ceil_to(value: int, unit: int) -> int:
    return -(-value // unit) * unit


def _x264_profile(profile: str | None) -> str | None:
    if not profile:
        return None
    p = profile.lower()
    if "baseline" in p:
        return "baseline"
    if "4:4:4" in p:
        return "high444"
    if "4:2:2" in p:
        return "high422"
    if "high 10" in p:
        return "high10"
    if "high" in p:
        return "high"
    if "main" in p:
        return "main"
    return None


class _Reseek(Exception):
    pass


def _layout_for(channels: int) -> av.AudioLayout:
    """The default layout of ``channels`` channels (stereo, 5.1, 7.1...).

    The samples keep their count and order.  The source's layout object is never read:
    PyAV 18 corrupts memory on custom-order layouts (such as MOV's per-channel labels).
    """
    return av.AudioLayout(f"{channels}c")


def _slice_audio(frame: av.AudioFrame, a: int, b: int, layout) -> av.AudioFrame:
    """Samples [a, b) of ``frame`` as a new frame (no resampling, exact bytes)."""
    fmt = frame.format
    n = b - a
    new = av.AudioFrame(format=fmt.name, layout=layout, samples=n)
    per_sample = fmt.bytes if fmt.is_planar else fmt.bytes * len(layout.channels)
    for src_plane, dst_plane in zip(frame.planes, new.planes, strict=False):
        data = bytes(src_plane)[a * per_sample : b * per_sample]
        dst_plane.update(data)
    new.sample_rate = frame.sample_rate
    return new


def _sane_dts(packets: list[tuple]) -> list[tuple]:
    """Decode timestamps of a re-encoded segment, derived again when the encoder's are unusable.

    libx265 intermittently hands back garbage dts (values far outside int64 once scaled,
    seen in CI on one-frame and short segments). Then dts are rebuilt the way muxers do:
    the sorted presentation times, moved back by the smallest delay that keeps every
    dts at or before its pts; they stay strictly increasing.
    """
    dts = [d for _, _, d, _ in packets]
    if (
        all(abs(d) < 2**40 for d in dts)
        and all(a < b for a, b in zip(dts, dts[1:], strict=False))
        and all(d <= p for _, p, d, _ in packets)
    ):
        return packets
    ordered = sorted(p for _, p, _, _ in packets)
    delay = max(o - p for o, (_, p, _, _) in zip(ordered, packets, strict=True))
    return [
        (data, p, o - delay, key) for o, (data, p, _, key) in zip(ordered, packets, strict=True)
    ]
