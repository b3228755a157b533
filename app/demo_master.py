"""The demo's masters, made with PyAV (no system ffmpeg): moving stripes and a bouncing
box over a tinted background, one line-up tone per audio stream."""

import array
import math
import os
from fractions import Fraction
from pathlib import Path

import av


def _plane_bytes(rows, line_size, width):
    if line_size == width:
        return b"".join(rows)
    pad = b"\x00" * (line_size - width)
    return b"".join(row + pad for row in rows)


def generate_master(
    path,
    size=(1280, 720),
    seconds=20,
    fps=25,
    tint=(128, 128),
    timecode=None,
    interlaced=False,
    tones=(1000,),
):
    """Write an H.264/AAC MP4 test master with moving patterns, and one stereo AAC
    stream per tone of `tones` (Hz, dividing 48 000), at -18 dBFS."""
    width, height = size
    frames = int(seconds * fps)
    tmp = Path(path).with_name(f".{Path(path).name}.partial")
    container = av.open(str(tmp), mode="w", format="mp4")
    if timecode:
        container.metadata["timecode"] = timecode
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height = width, height
    video.pix_fmt = "yuv420p"
    params = f"keyint={fps * 2}:min-keyint={fps}:scenecut=0"
    if interlaced:
        params += ":interlaced=1:tff=1"
    video.options = {"preset": "ultrafast", "crf": "18", "x264-params": params}
    audios = []
    for _tone in tones:
        audio = container.add_stream("aac", rate=48000, layout="stereo")
        audio.bit_rate = 192000
        audios.append(audio)

    # A gradient wider than the picture: slicing it at a moving offset animates it.
    period = 256
    ramp = bytes(16 + abs(i - 128) * 219 // 128 for i in range(period))
    base = ramp * (width // period + 3)
    box_w, box_h = width // 6, height // 6
    box = bytes([235]) * box_w
    u_plane_value, v_plane_value = tint

    for index in range(frames):
        frame = av.VideoFrame(width, height, "yuv420p")
        shift = (index * 6) % period
        rows = []
        bx = int((width - box_w) * (0.5 + 0.5 * math.sin(index / 17)))
        by = int((height - box_h) * (0.5 + 0.5 * math.cos(index / 23)))
        for y in range(height):
            start = (shift + y // 2) % period
            row = base[start : start + width]
            if by <= y < by + box_h:
                row = row[:bx] + box + row[bx + box_w :]
            rows.append(row)
        y_plane, u_plane, v_plane = frame.planes
        y_plane.update(_plane_bytes(rows, y_plane.line_size, width))
        cw, ch = width // 2, height // 2
        u_row = bytes([u_plane_value]) * cw
        v_row = bytes([(v_plane_value + index) % 256 if index % 50 < 2 else v_plane_value]) * cw
        u_plane.update(_plane_bytes([u_row] * ch, u_plane.line_size, cw))
        v_plane.update(_plane_bytes([v_row] * ch, v_plane.line_size, cw))
        frame.pts = index
        frame.time_base = Fraction(1, fps)
        for packet in video.encode(frame):
            container.mux(packet)
    for packet in video.encode():
        container.mux(packet)

    for audio, tone in zip(audios, tones, strict=True):
        _write_tone(container, audio, tone, seconds)
    container.close()
    os.replace(tmp, path)
    return Path(path)


def _write_tone(container, audio, tone, seconds):
    """A line-up tone at -18 dBFS, planar float stereo, 1024-sample frames."""
    period = 48000 // tone
    amplitude = 10 ** (-18 / 20)
    cycle = array.array(
        "f", (amplitude * math.sin(2 * math.pi * i / period) for i in range(period))
    )
    total = int(seconds * 48000)
    chunk = 1024
    block = array.array("f", cycle * (chunk // period + 2))
    pts = 0
    while pts < total:
        n = min(chunk, total - pts)
        offset = pts % period
        samples = block[offset : offset + n].tobytes()
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=n)
        for plane in frame.planes:
            plane.update(samples + b"\x00" * (plane.buffer_size - len(samples)))
        frame.sample_rate = 48000
        frame.pts = pts
        frame.time_base = Fraction(1, 48000)
        for packet in audio.encode(frame):
            container.mux(packet)
        pts += n
    for packet in audio.encode():
        container.mux(packet)
