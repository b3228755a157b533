"""Names and labels of what a probe finds: codecs, containers, colour, pixel formats.

Plain tables and functions (no PyAV objects): libav's names and enum numbers in,
what an editor reads out ("ProRes 422 HQ", "QuickTime / MOV", "bt709", "4:2:2").
"""

from __future__ import annotations

import re
from fractions import Fraction

import av

# AVFieldOrder, AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace, AVColorRange
FIELD_ORDER = {1: None, 2: "tff", 3: "bff", 4: "tff", 5: "bff"}
PRIMARIES = {
    1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
    9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213",
}  # fmt: skip
TRANSFER = {
    1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
    9: "log100", 10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1",
    14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67",
}  # fmt: skip
MATRIX = {
    0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m",
    8: "ycgco", 9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc",
    13: "chroma-derived-c", 14: "ictcp",
}  # fmt: skip
RANGE = {1: "tv", 2: "pc"}

_CONTAINER_NAMES = {
    "mov,mp4,m4a,3gp,3g2,mj2": "QuickTime / MOV",
    "mxf": "MXF",
    "mpegts": "MPEG-TS",
    "mpeg": "MPEG-PS",
    "matroska,webm": "Matroska / WebM",
    "avi": "AVI",
    "gxf": "GXF",
    "mpegvideo": "MPEG video (raw)",
    "h264": "H.264 (raw)",
    "hevc": "HEVC (raw)",
}

_CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "HEVC",
    "mpeg2video": "MPEG-2",
    "mpeg1video": "MPEG-1",
    "mpeg4": "MPEG-4 Part 2",
    "prores": "ProRes",
    "dnxhd": "DNxHD",
    "dvvideo": "DV",
    "mjpeg": "Motion JPEG",
    "jpeg2000": "JPEG 2000",
    "av1": "AV1",
    "vp9": "VP9",
    "vp8": "VP8",
    "ffv1": "FFV1",
    "rawvideo": "Uncompressed",
    "v210": "Uncompressed 10-bit 4:2:2",
}

_PRORES_PROFILES = {
    "proxy": "ProRes 422 Proxy",
    "lt": "ProRes 422 LT",
    "standard": "ProRes 422",
    "hq": "ProRes 422 HQ",
    "4444": "ProRes 4444",
    "xq": "ProRes 4444 XQ",
}


def container_name(format_name: str, long_name: str | None) -> str:
    """ "mxf" -> "MXF", "mov,mp4,..." -> "QuickTime / MOV"; else libav's long name."""
    return _CONTAINER_NAMES.get(format_name, long_name or format_name)


def friendly_codec(codec: str, profile: str | None) -> str:
    """ "prores"+"HQ" -> "ProRes 422 HQ", "h264"+"High" -> "H.264 High", "dnxhd" -> "DNxHD"."""
    prof = (profile or "").strip()
    if codec == "prores":
        return _PRORES_PROFILES.get(prof.lower(), f"ProRes {prof}".strip())
    if codec == "dnxhd":
        upper = prof.upper()
        if upper.startswith("DNXHR"):
            return "DNxHR" + prof[5:]
        return "DNxHD"
    base = _CODEC_NAMES.get(codec, codec.upper())
    if prof and prof.lower() not in ("unknown",):
        return f"{base} {prof}"
    return base


def pixel_info(pix_fmt: str | None) -> tuple[int | None, str | None]:
    """(bits per component, chroma subsampling "4:2:2") of a pixel format name."""
    if not pix_fmt:
        return None, None
    try:
        fmt = av.VideoFormat(pix_fmt)
        depth = fmt.components[0].bits if fmt.components else None
    except (ValueError, av.FFmpegError):
        return None, None
    match = re.search(r"(4[24][024])", pix_fmt)
    if match:
        digits = match.group(1)
        chroma = f"{digits[0]}:{digits[1]}:{digits[2]}"
    elif pix_fmt.startswith(("gbr", "rgb", "bgr")):
        chroma = "4:4:4"
    else:
        chroma = None
    return depth, chroma


def format_rate(rate: Fraction) -> str:
    """25 -> "25", 30000/1001 -> "29.97", 24000/1001 -> "23.976"."""
    if rate.denominator == 1:
        return str(rate.numerator)
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")
