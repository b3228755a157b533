"""Frame-accurate smart cut of a master into a clip (PyAV; no Flask, no database).

``cut(master_path, in_frame, out_frame, dest_path, progress=None, start_timecode=None)
-> CutReport``

Frames are 0-based in presentation order; ``out_frame`` is exclusive, so the clip holds
``out_frame - in_frame`` frames, the first being source frame ``in_frame``.

How a clip is made
------------------
* **Intra-only video** (ProRes, DNxHD/HR, MJPEG, AVC-Intra, ...): the packets of the
  frames ``in..out-1`` are copied: bit-identical.  Method ``"copy"``.
* **Long-GOP video** (H.264, HEVC, MPEG-2): method ``"smart"``.  The packets in decode
  order from the first *clean random-access point* at or after the in point (an H.264
  IDR, or an open-GOP I frame rewritten into an IDR by
  :mod:`.bitstream.h264_opengop`; an HEVC IDR/BLA/CRA, a CRA being renamed BLA; an
  MPEG-2 I picture) up to the last GOP boundary before the out point are copied
  unchanged.  The leading pictures of that
  first copied GOP (open-GOP B/RASL pictures that reference the previous GOP) are
  dropped from the copy and re-encoded instead; in MPEG-2, the pictures left in that
  GOP get their ``temporal_reference`` renumbered from 0 and its GOP header says
  ``closed_gop`` (:mod:`.bitstream.mpeg2`), so that an index built from the bitstream
  (MXF) gives them their true display order.  The frames before the copied range
  (``in`` .. first copied frame) and after it (.. ``out``) are decoded and re-encoded
  with the source's codec, profile, level, pixel format, size, aspect, interlacing and
  colour metadata, at a transparent quality (x264 ultrafast / x265 faster at CRF 16,
  chosen by a 40 dB PSNR target; MPEG-2 qscale 2); H.264 pictures before the in point
  that nothing refers to are not decoded;
  head and tail are encoded in parallel up to 720p, one after the other above (two
  1080p x264 instances at once exceed the memory budget).  A clip too short to
  contain a whole GOP is re-encoded whole (still ``"smart"``, with no copied packet,
  and said in ``notes``).
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
  (tested).  The end is signalled to the sample too: the last packet's duration ends
  the track at the out instant, and the movie timescale is a multiple of every sample
  rate and of the video clock, so that each track's edit ends exactly there (FFmpeg's
  default of 1000 would round it up to the millisecond).  FFmpeg (5.1 and 8) does not
  trim the end: it decodes the last AAC frame whole, up to 1023 samples more than the
  video (players that honour the edit's end, such as Apple's, stop at the out
  instant).  No decode, no re-encode, no join.  A player ignoring edit lists would
  start up to two AAC frames early.  Other compressed audio (MP2, AC-3 in MPEG-TS ..., or AAC with gaps in its
  timestamps or odd packets at the in point) is decoded and re-encoded with the same
  codec, rate, layout and bit rate; the decoded frames are placed by their
  timestamps (a gap at a splice filled with silence, an overlap dropped), so a
  master spliced by stream copy stays in sync after each splice.
* **Audio streams chosen**: ``audio`` restricts the clip to some of the master's audio
  streams (international sound only, say), each cut as above, and the others are left
  out; channels of a PCM stream (pairs of an 8-channel stream) become a stream of
  their own, their bytes taken from the master's samples (:mod:`.picks`).
* **Container**: MP4 stays MP4, MOV stays MOV, MXF stays MXF (OP1a), MPEG-TS stays
  MPEG-TS (its codecs, MPEG-2 video and MP2/AC-3 audio, are not at home in MP4); any
  other container becomes MOV.  :func:`output_extension` names it.
* **Timecode**: the clip's start timecode is the master's timecode at the in point,
  counted from the master's start timecode: ``start_timecode`` when the caller gives
  it (the probe's stored result), else read by :func:`app.media.source.read_start_timecode`,
  the probe's own reader, so that the timecode people see is the one their clip
  carries.  It is written as a ``timecode`` tag (a ``tmcd`` track in MOV/MP4, the
  material package timecode in MXF); in MPEG-2 the GOP headers carry it (copied GOPs
  keep the master's, which is the same count).
* **Frame clock**: frame ``i`` is the ``i``-th picture in presentation order.  At a
  constant rate that is ``p0 + round(i * ticks_per_frame)``; when the master's packets
  do not sit on that grid (variable-frame-rate footage from phones, checked on the
  first packets and again on the selection's), the frames are indexed by their order
  through a table of every video packet's pts (read once, no decode), the joins are
  encoded on the master's own clock, and the clip keeps the master's timestamps
  (``notes`` says so).  MPEG-2 has no variable rate: such a master is re-encoded whole.
* **MP4/MOV are faststart**: the ``moov`` index is written before ``mdat``, into room
  reserved at the start (no second pass over the file; :mod:`.mux`).
* **Progress** fills 0.02 after the scan, then the re-encode and the mux share the bar
  by their expected cost (a copied frame counts a fifth of a re-encoded one), the
  trailer 0.95..0.99, and 1.0 once the file is in place.
* The file is written to a temporary name in the destination directory and moved into
  place with ``os.replace``; on any error the temporary file is removed.

The modules
-----------
* :mod:`.master`: the master opened (through :func:`app.media.source.open_input`), its
  streams and frame clock, demuxers placed at a packet; the output container;
* :mod:`.job`: one cut's state (the selection on the master's clock, the timecode,
  notes, progress);
* :mod:`.plan`: the packet scan and the plan (what is copied, what re-encoded);
* :mod:`.encode`: the re-encoded head and tail;
* :mod:`.video`: the clip's video packets (copied ones made a clean start, the joins);
* :mod:`.audio` and :mod:`.audio_reencode`: PCM slicing, AAC copy, audio re-encode;
* :mod:`.picks`: which audio streams and channels the clip carries;
* :mod:`.mux`: the output file, its streams, metadata and HEVC sample entry;
* :mod:`.report`: :class:`CutReport` and :class:`AudioReport`;
* :mod:`.bitstream`: NAL units, the open-GOP H.264 rewrite, MPEG-2 GOP headers.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Sequence

from app.media.cut import encode, mux, plan
from app.media.cut.job import CutJob
from app.media.cut.master import SMART_CODECS, output_format
from app.media.cut.picks import AudioPick
from app.media.cut.report import AudioReport, CutReport
from app.media.errors import MediaError

__all__ = ["AudioPick", "AudioReport", "CutReport", "cut", "output_extension", "SMART_CODECS"]


def output_extension(master_path: str | os.PathLike) -> str:
    """File extension (with the dot) of the clip cut from ``master_path``."""
    _fmt, ext = output_format(str(master_path))
    return ext


def cut(
    master_path: str | os.PathLike,
    in_frame: int,
    out_frame: int,
    dest_path: str | os.PathLike,
    progress: Callable[[float], None] | None = None,
    start_timecode: str | None = None,
    audio: Sequence[AudioPick] | None = None,
) -> CutReport:
    """Cut frames ``[in_frame, out_frame)`` of ``master_path`` into ``dest_path``.

    ``start_timecode`` is the master's start timecode as the probe stored it (the
    clip's timecode counts from it); None reads it from the master, the probe's way.
    ``audio`` names the audio streams (or channels of a PCM stream) the clip carries, in
    that order; None: every audio stream.
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
        raise MediaError("master_missing", path=master_path)
    dest_dir = os.path.dirname(os.path.abspath(dest_path))
    base = os.path.basename(dest_path)
    stem, ext = os.path.splitext(base)
    tmp = os.path.join(dest_dir, f".{stem}.{uuid.uuid4().hex[:12]}.partial{ext}")
    job = None
    try:
        job = CutJob(master_path, in_frame, out_frame, tmp, progress, start_timecode, audio)
        report = run(job)
        os.replace(tmp, dest_path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        if job is not None:
            job.master.close()
    if progress is not None:
        progress(1.0)
    return report


#: The cost of copying (reading, writing) a frame, against re-encoding one: how the
#: progress bar is shared between the encode and the mux phases.
_COPY_COST = 0.2


def _progress_split(the_plan, frames: int) -> float:
    """Where the encode phase ends on the progress bar (after 0.02 for the scan)."""
    encoded = len(the_plan.head) + len(the_plan.tail)
    muxed = _COPY_COST * frames + len(the_plan.full)
    if encoded + muxed <= 0:
        return 0.02
    return 0.02 + 0.88 * encoded / (encoded + muxed)


def _clock_fits(job: CutJob, pkts, eof: bool) -> bool:
    """Whether the selection's packets are the frames the master's clock expects (a
    selection running past the end of the master fits: that is another error)."""
    inside = sorted(p.pts for p in pkts if job.t_in <= p.pts < job.t_out)
    expected = job.master.grid(job.t_in, job.t_out)
    return inside == expected or eof and inside == expected[: len(inside)]


def run(job: CutJob) -> CutReport:
    """Scan, plan, re-encode the joins, write the clip to ``job.tmp``; the report."""
    m = job.master
    report = CutReport(
        in_frame=job.in_frame,
        out_frame=job.out_frame,
        frames=job.frames,
        method="copy",
        container=m.fmt,
        video_codec=m.codec,
        start_timecode=job.clip_tc,
        frame_rate=str(m.rate),
    )
    pkts, eof = plan.scan(m, job.t_in, job.t_out)
    if not _clock_fits(job, pkts, eof) and job.reclock_by_frame_table():
        pkts, eof = plan.scan(m, job.t_in, job.t_out)  # frames by order (VFR)
    job.timings["scan"] = job.elapsed()
    pts_set = {p.pts for p in pkts}
    if m.pts_of(job.out_frame - 1) not in pts_set:
        raise MediaError("beyond_end", frame=job.out_frame - 1)
    if job.t_in not in pts_set:
        raise MediaError("frame_not_found", frame=job.in_frame)
    the_plan = plan.plan_cut(job, pkts, eof, report)

    t_enc = time.monotonic()
    split = _progress_split(the_plan, job.frames)
    job.start_phase(0.02, split)
    segments = encode.encode_joins(job, the_plan)
    job.timings["encode"] = time.monotonic() - t_enc
    for frames in (the_plan.head, the_plan.tail):
        if frames:
            report.reencoded_ranges.append((m.index_of(frames[0]), m.index_of(frames[-1]) + 1))
    if not the_plan.full:
        report.reencoded_frames = len(the_plan.head) + len(the_plan.tail)

    t_mux = time.monotonic()
    job.start_phase(split, 0.95)
    mux.mux(job, the_plan, segments, report)
    job.timings["mux"] = time.monotonic() - t_mux
    job.timings["total"] = job.elapsed()
    report.timings = {k: round(v, 4) for k, v in job.timings.items()}
    report.notes = job.notes
    if report.copied_frames + report.reencoded_frames != job.frames:
        raise MediaError(
            "frame_count_mismatch",
            copied=report.copied_frames,
            reencoded=report.reencoded_frames,
            frames=job.frames,
        )
    return report
