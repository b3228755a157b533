"""Opening a master: the one way the probe, the derivatives and the cut read a file.

* `open_input(path)` opens it with PyAV and works around PyAV's double free on custom
  channel layouts (see `_sanitize_audio_layouts`); always open masters through it.
* `pick_video_stream` / `audio_streams` choose the streams everyone uses.
* `read_start_timecode(...)` reads the master's start timecode, in one order (see there),
  and `gop_timecode` parses an MPEG-1/2 GOP header's time code.  They are the only
  readers: the probe stores what they find, and the cut (`app.media.cut`) stamps its
  clips from that stored value, or reads it here when it is given none.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction

import av

from .errors import MediaError
from .timecode import frames_to_tc, tc_to_frames

# Native channel layouts, to name a custom-ordered layout (as MOV writes them) the way
# ffprobe does when it holds the same set of channels.
_NAMED_LAYOUTS = [
    "mono", "stereo", "2.1", "3.0", "3.0(back)", "4.0", "quad", "quad(side)", "3.1",
    "5.0", "5.0(side)", "4.1", "5.1", "5.1(side)", "6.0", "6.0(front)", "hexagonal",
    "6.1", "6.1(back)", "6.1(front)", "7.0", "7.0(front)", "7.1", "7.1(wide)",
    "7.1(wide-side)", "octagonal", "5.1.2", "5.1.4", "7.1.2", "7.1.4",
]  # fmt: skip

_MPEG_VIDEO = ("mpeg1video", "mpeg2video")
_GOP_START = b"\x00\x00\x01\xb8"
# Container tags are written loosely ("1:00:00:00", "10.00.00.00"); they are checked
# against the SMPTE rules afterwards (`_normalise_timecode`).
_TAG_TC_RE = re.compile(r"^\s*(\d{1,2})[:;.](\d{2})[:;.](\d{2})([:;.,])(\d{2,3})\s*$")


class OpenedMaster:
    """An input container plus what was noted of its audio layouts (see `open_input`)."""

    def __init__(self, path: str, container, layouts: dict[int, tuple[str | None, list[str]]]):
        self.path = path
        self.container = container
        self.layouts = layouts

    def layout_info(self, stream) -> tuple[str | None, list[str]]:
        """(friendly layout name or None, channel names in stream order or []) of `stream`."""
        return self.layouts.get(stream.index, (None, []))

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> OpenedMaster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_input(path: str | os.PathLike) -> OpenedMaster:
    """Open `path` with PyAV, raising `MediaError` if it is not a readable media file.

    Audio channel layouts are normalised right away (see `_sanitize_audio_layouts`):
    use `OpenedMaster.layout_info` rather than the streams' `layout` / `channels`
    attributes for the original layout.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise MediaError("file_not_found")
    try:
        container = av.open(path, metadata_errors="replace")
    except av.FFmpegError as exc:
        raise MediaError("unreadable", detail=error_detail(exc)) from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError("unreadable", detail=str(exc)) from exc
    try:
        layouts = _sanitize_audio_layouts(container)
    except Exception:
        container.close()
        raise
    return OpenedMaster(path, container, layouts)


def error_detail(exc: Exception) -> str:
    """PyAV's message without its errno prefix, the path it appends and a final dot."""
    text = getattr(exc, "strerror", None) or str(exc)
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(text)).strip()
    text = re.sub(r":\s*'[^']*'$", "", text)  # drop the path PyAV appends
    return text.rstrip(".") or exc.__class__.__name__


def _sanitize_audio_layouts(container) -> dict[int, tuple[str | None, list[str]]]:
    """Work around a PyAV 18 double free with custom-ordered channel layouts.

    `AudioCodecContext.layout` (and `.channels`, which goes through it) returns a
    shallow copy of the context's AVChannelLayout whose destructor frees the channel map
    the context still points to.  MOV files with a ``chan`` atom (multichannel PCM) get
    such custom layouts, and touching them crashes the process later.  So, once per
    stream and before anything else reads it, take the layout, note its name and
    channels, then give the context a plain layout with the same channel count (the
    standard one when the channels are a standard set, else "N channels"), so that the
    copy's destructor frees the map exactly once.
    """
    infos: dict[int, tuple[str | None, list[str]]] = {}
    for stream in container.streams.audio:
        cc = stream.codec_context
        layout = cc.layout
        try:
            count = layout.nb_channels
            described = layout.name
            names = [ch.name for ch in layout.channels]
            replacement, pretty = _plain_layout(count, described, names)
            cc.layout = replacement
        finally:
            del layout
        known = [] if all(n in ("NONE", "") or n.startswith("USR") for n in names) else names
        infos[stream.index] = (pretty, known)
    return infos


def _plain_layout(count: int, described: str, names: list[str]) -> tuple[str, str | None]:
    """(layout string safe to give a context, friendly name or None if unspecified)."""
    if count <= 0:
        return "mono", None
    try:
        native = av.AudioLayout(described)
        native_names = [ch.name for ch in native.channels]
        if (
            "(" not in described
            and "channels" not in described
            and native.nb_channels == count
            and native_names == names
        ):
            return described, described
    except (ValueError, av.FFmpegError):
        pass
    name_set = set(names)
    if len(name_set) == count and "NONE" not in name_set:
        for candidate in _NAMED_LAYOUTS:
            try:
                lay = av.AudioLayout(candidate)
            except ValueError:
                continue
            if lay.nb_channels == count and {ch.name for ch in lay.channels} == name_set:
                return f"{count} channels", candidate
        return f"{count} channels", "+".join(names)
    return f"{count} channels", None


def pick_video_stream(container):
    """The first real video stream (cover art / attached pictures are skipped)."""
    for stream in container.streams.video:
        disposition = getattr(stream, "disposition", 0)
        if int(disposition) & 0x0400:  # AV_DISPOSITION_ATTACHED_PIC
            continue
        return stream
    return None


def audio_streams(container) -> list:
    """The audio streams a decoder was found for, in container order."""
    return [s for s in container.streams.audio if s.codec_context is not None]


# --------------------------------------------------------------------------- timecode


def read_start_timecode(
    master: OpenedMaster, stream, rate: Fraction, first_key: bytes | None = None
) -> tuple[str | None, str | None]:
    """The master's start timecode and where it was found, or (None, None).

    One order, the one ffprobe shows a file's timecode in (format tags, then streams):

    1. the container: MXF's material package timecode, the timeline the file plays
       (SMPTE 377); its file package's, on the streams, may differ after a partial
       restore or a re-wrap, and editing systems show the material package's;
    2. the video stream (MOV: its ``tmcd`` reference);
    3. any other stream (MOV's ``tmcd`` data track);
    4. MPEG-1/2 video: the first GOP header (`first_key`, the first keyframe packet,
       is read from the file when not given).

    Values are checked and re-spelled by the SMPTE rules of `app.media.timecode`.
    """
    container = master.container
    candidates = [
        ("container", container.metadata.get("timecode")),
        ("video stream", stream.metadata.get("timecode")),
    ]
    for other in container.streams:
        if other.index != stream.index:
            candidates.append(("data stream", other.metadata.get("timecode")))
    for source, value in candidates:
        if value and _TAG_TC_RE.match(value):
            return _normalise_timecode(value.strip(), rate), source
    if stream.codec_context.name not in _MPEG_VIDEO:
        return None, None
    if first_key is None:
        first_key = _first_keyframe(master.path, stream.index)
    found = gop_timecode(first_key, rate) if first_key else None
    return (found, "GOP header") if found else (None, None)


def _first_keyframe(path: str, index: int) -> bytes | None:
    """The first bytes of the first keyframe packet of stream `index` (its own demuxer,
    so that the caller's stays at the start)."""
    with open_input(path) as master:
        stream = master.container.streams[index]
        try:
            for packet in master.container.demux(stream):
                if packet.size and packet.is_keyframe:
                    return bytes(packet)[:4096]
        except av.FFmpegError:
            return None
    return None


def gop_timecode(data: bytes, rate: Fraction) -> str | None:
    """The time code of the first MPEG-1/2 GOP header (start code 0x000001B8) in `data`."""
    at = data.find(_GOP_START)
    if at < 0 or len(data) < at + 8:
        return None
    bits = int.from_bytes(data[at + 4 : at + 8], "big")
    drop = (bits >> 31) & 1
    hours = (bits >> 26) & 0x1F
    minutes = (bits >> 20) & 0x3F
    seconds = (bits >> 13) & 0x3F
    pictures = (bits >> 7) & 0x3F
    if minutes > 59 or seconds > 59 or pictures >= max(1, round(float(rate))):
        return None
    sep = ";" if drop else ":"
    value = f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{pictures:02d}"
    return _normalise_timecode(value, rate)


def _normalise_timecode(value: str, rate: Fraction) -> str:
    """Re-spelled by the SMPTE rules; a string that breaks them at this rate is kept as
    the file wrote it (the editor then counts from it as best it can)."""
    drop = ";" in value
    try:
        return frames_to_tc(tc_to_frames(value, rate), rate, drop=drop)
    except ValueError:
        return value
