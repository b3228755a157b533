"""How big each basket item's file is, or will be: shown on the basket page and held
against BASKET_MAX_BYTES before anything is cut or sent.

A clip already cut weighs its file; one not cut yet, its share of the master (a smart
cut copies most packets, so it weighs about that). A still is estimated from the
master's picture size (PNG: about half the raw RGB; JPEG at quality 95: about a tenth).
"""

from __future__ import annotations

from app.clips import service as clip_service

SCRIPT_BYTES = 8 * 1024


def _clip_file(item):
    clip = clip_service.find_clip(item.video_id, item.in_frame, item.out_frame, item.audio)
    return clip if clip is not None and clip.status == "done" and clip.size else None


def estimate(item) -> int:
    video = item.video
    if item.kind == "master":
        return int(video.master_size or 0)
    if item.kind == "rendition":
        found = next((r for r in video.renditions if r.name == item.rendition), None)
        return int(found.size or 0) if found else 0
    if item.kind == "clip":
        clip = _clip_file(item) if item.id else None
        if clip is not None:
            return int(clip.size)
        total = int(video.frame_count or 0)
        share = (item.out_frame - item.in_frame) / total if total else 0
        return int((video.master_size or 0) * share)
    if item.kind == "still":
        raw = int(video.width or 0) * int(video.height or 0) * 3
        return raw // 2 if item.still_format == "png" else raw // 10
    return SCRIPT_BYTES


def total(items) -> int:
    return sum(estimate(i) for i in items)
