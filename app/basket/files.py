"""The files of a basket: each item as the area that owns it names, finds or makes it.

Masters and renditions come from the library, clips from the clip cache (cut through
the clip service and its job), stills from the stills service, scripts from the scripts
service; the names are `app.library.names` through each area's own presenter. Nothing
here decides who may have them: the routes ask `app.library.policy` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _

from app import storage
from app.captions import present as captions_present
from app.captions import service as captions
from app.clips import cache as clip_cache
from app.clips import present as clip_present
from app.clips import service as clip_service
from app.library import present as library_present
from app.library.names import download_name
from app.models import Clip
from app.scripts import service as scripts
from app.stills import present as still_present
from app.stills import service as stills


@dataclass
class Entry:
    """One file of the ZIP: a path on disk or the bytes themselves, what the download log
    writes for it, and what the manifest says of it."""

    item: object
    arcname: str
    path: object = None
    data: bytes | None = None
    log: dict = field(default_factory=dict)
    kind: str | None = None  # what the manifest calls it, when not the item's kind

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size


def find_clip(item) -> Clip | None:
    return clip_service.find_clip(item.video_id, item.in_frame, item.out_frame, item.audio)


def clip_progress(item) -> tuple[str, float]:
    """(status, progress 0..1) of a clip item's cut ("missing": never asked for)."""
    clip = find_clip(item)
    if clip is None:
        return "missing", 0.0
    if clip.status == "done" and clip_cache.file_of(clip) is not None:
        return "done", 1.0
    status = "queued" if clip.status == "evicted" else clip.status
    return status, max(0.0, min(1.0, float(clip.progress or 0.0)))


def request_clips(items, user) -> list[int]:
    """Ask the clip service for each clip item not cut yet; the ids of the clips to cut
    (the caller enqueues them, as for a clip asked alone)."""
    to_cut = []
    for item in items:
        if item.kind == "clip" and clip_progress(item)[0] != "done":
            clip_request, needs_cut = clip_service.request_clip(
                item.video, user, item.in_frame, item.out_frame, item.audio
            )
            if needs_cut:
                to_cut.append(clip_request.clip_id)
    return to_cut


class NotReady(LookupError):
    """A file of the basket is not there (yet): a clip not cut, a master gone."""


def _library_file(item):
    video = item.video
    if item.kind == "master":
        relative, kind, logged = video.master_path, "original", "master"
    else:
        found = next((r for r in video.renditions if r.name == item.rendition), None)
        relative, kind, logged = (found.path if found else None), item.rendition, item.rendition
    path = storage.existing_file(relative)
    if path is None:
        raise NotReady(item.id)
    name = download_name(video, kind=kind, ext=path.suffix)
    return Entry(item, name, path=path, log={"rendition": logged})


def _clip_file(item):
    clip = find_clip(item)
    path = clip_cache.file_of(clip) if clip is not None and clip.status == "done" else None
    if path is None:
        raise NotReady(item.id)
    clip_service.touch(clip)
    return Entry(item, clip_present.file_name(clip), path=path, log=clip_present.log_fields(clip))


def _still_file(item):
    try:
        path, _made = stills.still_file(item.video, item.frame, item.still_format)
    except stills.NoMaster:
        raise NotReady(item.id) from None
    name = still_present.file_name(item.video, item.frame, item.still_format)
    log = {"rendition": "still", "in_frame": item.frame, "out_frame": item.frame + 1}
    return Entry(item, name, path=path, log=log)


def _script_file(item):
    with force_locale(item.lang):
        script = scripts.build_script(item.video, item.lang, item.in_frame, item.out_frame)
        body = scripts.as_text(script).encode("utf-8")
    return Entry(item, scripts.file_name(item.video, script), data=body)


_MAKERS = {
    "master": _library_file,
    "rendition": _library_file,
    "clip": _clip_file,
    "still": _still_file,
    "script": _script_file,
}


def _unique(name, taken):
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}" if dot else f"{name}-{n}"
    taken.add(candidate)
    return candidate


def _caption_sidecars(item) -> list[Entry]:
    """A clip's caption files, cut to its frames (as the clip editor offers them)."""
    result = []
    for caption in item.video.captions:
        span = (item.in_frame, item.out_frame)
        body = captions.as_vtt(captions.clip_cues(caption, *span)).encode("utf-8")
        name = captions_present.file_name(caption, span, "vtt")
        result.append(Entry(item, name, data=body, kind=f"captions-{caption.lang}"))
    return result


def entries(items) -> list[Entry]:
    """The files of `items`, in order, with unique names (a clip followed by its caption
    sidecars). NotReady if one is missing; stills not made yet are made here (a fraction
    of a second each)."""
    taken = {"manifest.csv", "manifest.json"}
    found = []
    for item in items:
        made = [_MAKERS[item.kind](item)]
        if item.kind == "clip":
            made += _caption_sidecars(item)
        for entry in made:
            entry.arcname = _unique(entry.arcname, taken)
            found.append(entry)
    return found


def timecodes(item) -> tuple[str, str]:
    """The master timecodes of an item's first and last frame ("" when unknown)."""
    video = item.video
    clock = video.clock()
    if clock is None or not video.frame_count:
        return "", ""
    if item.kind == "still":
        return clock.timecode(item.frame), clock.timecode(item.frame)
    if item.in_frame is not None:
        return clock.timecode(item.in_frame), clock.timecode(item.out_frame - 1)
    return clock.timecode(0), clock.timecode(video.frame_count - 1)


def frames_of(item) -> int:
    if item.kind == "still":
        return 1
    if item.in_frame is not None:
        return item.out_frame - item.in_frame
    return int(item.video.frame_count or 0)


def kind_label(item):
    if item.kind == "rendition":
        return library_present.rendition_labels().get(item.rendition, item.rendition)
    return KIND_LABELS[item.kind]()


KIND_LABELS = {
    "master": lambda: _("Original"),
    "clip": lambda: _("Clip"),
    "still": lambda: _("Still"),
    "script": lambda: _("Script"),
}
