"""An agency script of a video (or of a clip of it): header, SHOTLIST, STORYLINE,
RESTRICTIONS, TECHNICAL, as data (`Script`) and as plain text (`as_text`).

The labels, dates and technical sheet come out in the active locale: the routes build a
script inside ``flask_babel.force_locale(lang)``. Shot timecodes are the master's (a
shot typed as a time from the start, 00:00:05:00, is shown as the master's timecode of
that instant); a clip's script lists only the shots whose first frame lies in
[in, out), with the lines without a timecode that follow them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.clips.selection import SelectionError, parse_selection
from app.formatting import human_duration
from app.library.names import download_name
from app.library.present import display_date, shots, tech_sheet
from app.links import video_page_url

_WHOLE = re.compile(r"\d{1,10}")


@dataclass
class Section:
    key: str  # "shotlist", "storyline", "restrictions", "technical"
    heading: str
    lines: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs


@dataclass
class Script:
    title: str
    lang: str  # the language of the texts
    header: list[tuple[str, str]]
    sections: list[Section]
    in_frame: int | None = None
    out_frame: int | None = None

    @property
    def is_clip(self) -> bool:
        return self.in_frame is not None


def read_range(video, args):
    """(in_frame, out_frame) of ?in=&out= (frames, or master timecodes as the clip API
    takes them), or (None, None) without them. SelectionError with a message."""
    given = args.get("in", "").strip(), args.get("out", "").strip()
    if given == ("", ""):
        return None, None
    if all(_WHOLE.fullmatch(v) for v in given):
        data = {"in_frame": given[0], "out_frame": given[1]}
    else:
        data = {"in": given[0], "out": given[1]}
    return parse_selection(video, data)


def _shot_lines(video, texts, in_frame, out_frame):
    clock = video.clock()
    rate = clock.rate if clock is not None else None
    lines = []
    keep = in_frame is None
    for shot in shots(video, texts.shot_list if texts else ""):
        frame = round(shot.seconds * rate) if shot.seconds is not None and rate else None
        if shot.timecode and in_frame is not None:
            keep = frame is not None and in_frame <= frame < out_frame
        if not keep:
            continue
        label = clock.timecode(frame) if frame is not None and clock else shot.timecode
        lines.append(f"{label}  {shot.description}".strip() if label else shot.description)
    return lines


def _story_lines(texts):
    if texts is None:
        return []
    body = texts.story.strip() or texts.summary.strip()
    return [line.strip() for line in body.splitlines() if line.strip()]


def _header(video, lang, in_frame, out_frame):
    clock = video.clock()
    rows = []
    day = display_date(video)
    if day:
        rows.append((_("Date"), day))
    if video.place(lang):
        rows.append((_("Location"), video.place(lang)))
    if in_frame is not None and clock is not None:
        frames = out_frame - in_frame
        rows.append(
            (
                _("Duration"),
                f"{human_duration(frames / clock.rate)} ({clock.duration(frames)})",
            )
        )
        rows.append((_("Clip"), f"{clock.timecode(in_frame)} – {clock.timecode(out_frame)}"))
    elif video.duration:
        duration = human_duration(video.duration)
        if clock is not None and video.frame_count:
            duration += f" ({clock.duration(video.frame_count)})"
        rows.append((_("Duration"), duration))
    rows.append((_("Video"), video_page_url(video)))
    return rows


def build_script(video, lang, in_frame=None, out_frame=None) -> Script:
    """The script of `video` (of frames [in_frame, out_frame) for a clip) in `lang`."""
    texts = video.text(lang)
    terms = video.terms(lang).strip()
    restrictions = [terms] if terms else []
    if video.credit:
        restrictions.append(_("Credit: %(credit)s", credit=video.credit))
    sections = [
        Section("shotlist", _("SHOTLIST"), _shot_lines(video, texts, in_frame, out_frame)),
        Section("storyline", _("STORYLINE"), _story_lines(texts)),
        Section("restrictions", _("RESTRICTIONS"), restrictions),
        Section("technical", _("TECHNICAL"), rows=list(tech_sheet(video))),
    ]
    return Script(
        title=(texts.title if texts and texts.title else _("Untitled video")),
        lang=texts.lang if texts else lang,
        header=_header(video, lang, in_frame, out_frame),
        sections=sections,
        in_frame=in_frame,
        out_frame=out_frame,
    )


def _aligned(rows):
    labels = [_("%(label)s:", label=label) for label, _value in rows]
    width = max((len(label) for label in labels), default=0) + 1
    return [f"{label.ljust(width)}{value}" for label, (_l, value) in zip(labels, rows, strict=True)]


def as_text(script: Script) -> str:
    """The script as plain text (agency layout), lines ending in "\\n"; call it in the
    script's locale (the label colon is French-spaced in French)."""
    out = [script.title.upper(), "=" * min(len(script.title), 72), *_aligned(script.header)]
    for section in script.sections:
        out += ["", section.heading, "-" * len(section.heading)]
        body = section.lines + _aligned(section.rows)
        out += body or ["—"]
    return "\n".join(out) + "\n"


def file_name(video, script: Script) -> str:
    """2026-03-14_defence-ministers-meet_script.txt; a clip's names its range."""
    if not script.is_clip:
        return download_name(video, kind="script", ext="txt")
    clock = video.clock()
    span = f"{clock.timecode(script.in_frame)} {clock.timecode(script.out_frame)}"
    return download_name(video, kind=f"script {span}", ext="txt")


__all__ = ["Script", "Section", "SelectionError", "as_text", "build_script", "read_range"]
