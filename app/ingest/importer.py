"""`flask rushes import FILE...`: ingest files already on the server, with progress bars.

Each file is probed first (a non-video is reported and skipped, leaving nothing
behind), then hard-linked into MEDIA_ROOT when it sits on the same filesystem (no copy,
the original stays where it is) or copied otherwise, and ingested through the same
code path as an upload (service.run_ingest), synchronously.
"""

import os
from pathlib import Path

import click
from flask import current_app

from app import storage
from app.admin import service as admin_service
from app.admin.forms import slugify
from app.extensions import db
from app.ingest.service import apply_defaults, check_is_video, run_ingest
from app.media.errors import MediaError
from app.models import Video, VideoText


def import_files(files, publish=False, title=None, link=True, echo=click.echo):
    """Import every file; returns the number of files that failed and the ids of the
    videos published (the caller queues their saved-search alerts)."""
    failures = 0
    published = []
    for name in files:
        video = import_file(name, publish=publish, title=title, link=link, echo=echo)
        if video is None or video.status != "ready":
            failures += 1
        elif video.published:  # a new video: published just now
            published.append(video.id)
    return failures, published


def import_file(name, publish=False, title=None, link=True, echo=click.echo):
    path = Path(name).resolve()
    echo(f"{path.name}:")
    try:
        check_is_video(path)
    except MediaError as exc:
        echo(f"  refused: not a video we can use: {exc}", err=True)
        return None

    video = Video(status="queued", original_filename=path.name[:300])
    apply_defaults(video)
    text_title = (title or (path.stem if publish else "")).strip()
    if text_title:
        video.texts.append(VideoText(lang=current_app.config["LANGUAGES"][0], title=text_title))
        video.slug = slugify(text_title) or "video"
    db.session.add(video)
    db.session.commit()

    dest = storage.master_path(video.id, path.name)
    linked = False
    if link:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest)
            linked = True
        except OSError:
            linked = False
    if not linked:
        size = path.stat().st_size
        with click.progressbar(length=size, label="  copying ", show_pos=False) as bar:
            storage.copy_into_place(path, dest, progress=bar.update)
    video.master_path = storage.relative(dest)
    video.master_size = dest.stat().st_size
    db.session.commit()
    if linked:
        echo("  hard-linked into the media store")

    with click.progressbar(length=100, label="  ingest  ", show_percent=True) as bar:
        done = [0]

        def progress(fraction):
            value = int(fraction * 100)
            if value > done[0]:
                bar.update(value - done[0])
                done[0] = value

        video = run_ingest(video.id, progress=progress)
    if video.status != "ready":
        echo(f"  failed: {video.error}", err=True)
        return video
    if publish:
        problem = admin_service.publish_problem(video)
        if problem:
            echo(f"  not published: {problem}", err=True)
        else:
            admin_service.publish(video)
    echo(f"  ready: video {video.id}{' (published)' if video.published else ''}")
    return video
