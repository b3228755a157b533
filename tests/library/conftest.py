"""Fixtures of the library tests: published videos with real files under MEDIA_ROOT."""

import os
from datetime import date, datetime

import pytest

from app.extensions import db
from app.models import Rendition, Tag, Video, VideoText

# Deterministic bytes: tests compare what they receive with what is on disk.
MASTER_BYTES = bytes(range(256)) * 4096 + b"end-of-master"  # ~1 MiB
FHD_BYTES = b"fhd-" * 50_000
HD_BYTES = b"hd--" * 30_000
SD_BYTES = b"sd--" * 20_000
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nthumbs.jpg#xywh=0,0,160,90\n"

SAMPLE_INFO = {
    "container": "mov,mp4,m4a,3gp,3g2,mj2",
    "container_name": "QuickTime / MOV",
    "size": len(MASTER_BYTES),
    "duration": 2.0,
    "bit_rate": 180_000_000,
    "frame_rate_num": 25,
    "frame_rate_den": 1,
    "frame_count": 50,
    "frame_count_source": "container",
    "width": 1920,
    "height": 1080,
    "sample_aspect_ratio": "1:1",
    "display_aspect_ratio": "16:9",
    "scan_type": "interlaced",
    "field_order": "tff",
    "video_codec": "prores",
    "video_codec_long_name": "Apple ProRes",
    "video_profile": "HQ",
    "video_format": "ProRes 422 HQ",
    "pixel_format": "yuv422p10le",
    "bit_depth": 10,
    "chroma_subsampling": "4:2:2",
    "color_primaries": "bt709",
    "color_transfer": "bt709",
    "color_matrix": "bt709",
    "color_range": "tv",
    "video_bit_rate": 176_000_000,
    "gop": "intra-only",
    "gop_length": None,
    "audio": [
        {
            "index": 1,
            "codec": "pcm_s24le",
            "sample_rate": 48000,
            "channels": 8,
            "channel_layout": "7.1",
            "language": "fra",
            "bit_depth": 24,
        }
    ],
    "start_timecode": "10:00:00:00",
    "timecode_source": "container",
}


def _write(root, relative, data):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return relative


@pytest.fixture
def make_video(app):
    """make_video(title_fr=..., title_en=..., published=True, ...) -> Video with files."""
    counter = {"n": 0}

    def make(
        title_fr="Réunion des ministres de la Défense",
        title_en="Defence ministers meet",
        summary_fr="Les ministres européens de la Défense se sont réunis à Bruxelles.",
        summary_en="European defence ministers met in Brussels.",
        story_fr="",
        story_en="",
        shots_fr="10:00:00:00 PLAN LARGE salle de réunion\n10:00:01:00 SOUNDBITE (French) La ministre",
        shots_en="10:00:00:00 WIDE meeting room\n10:00:01:00 SOUNDBITE (French) The minister",
        published=True,
        published_at=None,
        recorded_on=date(2026, 3, 14),
        location="Bruxelles",
        tags=(),
        slug=None,
        files=True,
        proxy_bytes=b"proxy",
        **fields,
    ):
        counter["n"] += 1
        root = app.config["MEDIA_ROOT"]
        video = Video(
            slug=slug or f"video-{counter['n']}",
            status="ready",
            published=published,
            published_at=published_at or (datetime(2026, 3, 15, 12, 0) if published else None),
            recorded_on=recorded_on,
            credit="© Rushes, 2026",
            original_filename="master.mov",
            duration=2.0,
            fps_num=25,
            fps_den=1,
            frame_count=50,
            width=1920,
            height=1080,
            start_timecode="10:00:00:00",
            media_info=dict(SAMPLE_INFO),
            **fields,
        )
        texts = []
        for lang, title, summary, story, shots in (
            ("fr", title_fr, summary_fr, story_fr, shots_fr),
            ("en", title_en, summary_en, story_en, shots_en),
        ):
            if title is not None:
                texts.append(
                    VideoText(
                        lang=lang,
                        title=title,
                        summary=summary,
                        story=story,
                        shot_list=shots,
                        location=location,
                        usage_terms="Editorial use only.",
                    )
                )
        video.texts = texts
        with db.session.no_autoflush:
            for name in tags:
                tag = db.session.execute(db.select(Tag).filter_by(name=name)).scalar_one_or_none()
                video.tags.append(tag or Tag(name=name))
        db.session.add(video)
        db.session.flush()
        if files:
            base = f"videos/{video.id}"
            video.master_path = _write(root, f"{base}/master.mov", MASTER_BYTES)
            video.master_size = len(MASTER_BYTES)
            video.poster_path = _write(root, f"{base}/poster.jpg", b"\xff\xd8poster")
            video.thumbs_path = _write(root, f"{base}/thumbs.jpg", b"\xff\xd8sprite")
            _write(root, f"{base}/thumbs.vtt", VTT)
            for name, data, w, h in (
                ("proxy", proxy_bytes, 960, 540),
                ("fhd", FHD_BYTES, 1920, 1080),
                ("hd", HD_BYTES, 1280, 720),
                ("sd", SD_BYTES, 720, 576),
            ):
                video.renditions.append(
                    Rendition(
                        name=name,
                        path=_write(root, f"{base}/{name}.mp4", data),
                        size=len(data),
                        width=w,
                        height=h,
                    )
                )
        db.session.commit()
        return video

    return make


@pytest.fixture
def verified(make_user, login):
    """A logged-in verified user who has accepted the usage terms."""
    from app.clock import utcnow

    user = make_user(email="ada@example.org", language="en", terms_accepted_at=utcnow())
    login("ada@example.org")
    return user
