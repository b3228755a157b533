"""Forms of the admin area: the description of a video in each language."""

import re
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.extensions import db
from app.forms import Form
from app.i18n import LANGUAGE_NAMES
from app.ingest.service import default_credit
from app.media.timecode import valid_label
from app.models import Tag, VideoText

TAG_MAX = 80


def bad_shot_lines(text, fps=None):
    """Line numbers (1-based) of a shot list that are not "HH:MM:SS:FF description"."""
    bad = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, _sep, description = line.strip().partition(" ")
        if not description.strip() or not valid_label(label, fps):
            bad.append(number)
    return bad


def parse_tags(text):
    """ "a, b ,A" -> ["a", "b"]: trimmed, de-duplicated (case-insensitively), in order."""
    seen, tags = set(), []
    for raw in (text or "").split(","):
        name = " ".join(raw.split())[:TAG_MAX]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            tags.append(name)
    return tags


def relative_shot_lines(text, clock, frame_count):
    """{line number: master timecode} of the lines counted from the file's first frame."""
    found = {}
    if clock is None:
        return found
    for number, line in enumerate((text or "").splitlines(), start=1):
        label = line.strip().partition(" ")[0]
        converted = clock.from_relative(label, frame_count or 0)
        if converted:
            found[number] = converted
    return found


def to_master_timecodes(text, clock, frame_count):
    """The shot list with every relative timecode turned into the master's."""
    converted = relative_shot_lines(text, clock, frame_count)
    lines = (text or "").splitlines()
    for number, master_tc in converted.items():
        label, _sep, description = lines[number - 1].strip().partition(" ")
        lines[number - 1] = f"{master_tc} {description.strip()}"
    return "\n".join(lines)


class ShotList:
    """Validator: every non-empty line is "HH:MM:SS:FF description", in the master's
    timecode (lines counted from 00:00:00:00 are offered a conversion)."""

    def __call__(self, form, field):
        bad = bad_shot_lines(field.data, getattr(form, "fps", None))
        clock = getattr(form, "clock", None)
        relative = relative_shot_lines(field.data, clock, getattr(form, "frame_count", 0))
        if relative and not bad and not form.convert_shots.data:
            first = min(relative)
            raise ValidationError(
                ngettext(
                    "Line %(lines)s is counted from the start of the file, not in the "
                    "master's timecode (which starts at %(start)s): %(typed)s is %(master)s "
                    "on the master. Tick “Convert to the master's timecode” to convert it.",
                    "Lines %(lines)s are counted from the start of the file, not in the "
                    "master's timecode (which starts at %(start)s): %(typed)s is %(master)s "
                    "on the master. Tick “Convert to the master's timecode” to convert them.",
                    len(relative),
                    lines=", ".join(str(n) for n in sorted(relative)),
                    start=clock.timecode(0),
                    typed=(field.data.splitlines()[first - 1].strip().partition(" ")[0]),
                    master=relative[first],
                )
            )
        if bad:
            lines = ", ".join(str(n) for n in bad)
            raise ValidationError(
                ngettext(
                    "Line %(lines)s is not “HH:MM:SS:FF description” (a valid timecode, "
                    "then the description).",
                    "Lines %(lines)s are not “HH:MM:SS:FF description” (a valid timecode, "
                    "then the description).",
                    len(bad),
                    lines=lines,
                )
            )


def _text_fields(lang):
    return {
        f"title_{lang}": StringField(_l("Title"), validators=[Optional(), Length(max=300)]),
        f"summary_{lang}": TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)]),
        f"story_{lang}": TextAreaField(_l("Story"), validators=[Optional(), Length(max=50000)]),
        f"shots_{lang}": TextAreaField(
            _l("Shot list"), validators=[Optional(), Length(max=50000), ShotList()]
        ),
        f"location_{lang}": StringField(_l("Location"), validators=[Optional(), Length(max=200)]),
        f"terms_{lang}": TextAreaField(
            _l("Usage terms"), validators=[Optional(), Length(max=10000)]
        ),
    }


class VideoForm(Form):
    recorded_on = DateField(_l("Recording date"), validators=[Optional()])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])
    credit = StringField(_l("Credit line"), validators=[Optional(), Length(max=300)])
    convert_shots = BooleanField(_l("Convert to the master's timecode"))

    fps = None  # frame rate of the master, to check the frame part of timecodes
    clock = None  # the master's clock (Video.clock()), to read shot lists in its timecode
    frame_count = 0


for _lang in ("fr", "en"):
    for _name, _field in _text_fields(_lang).items():
        setattr(VideoForm, _name, _field)


def fill_form(form, video):
    """Put the video's current values in the form (GET)."""
    form.recorded_on.data = video.recorded_on
    form.tags.data = ", ".join(t.name for t in video.tags)
    form.credit.data = video.credit or default_credit()
    by_lang = {t.lang: t for t in video.texts}
    for lang in ("fr", "en"):
        text = by_lang.get(lang)
        form[f"title_{lang}"].data = text.title if text else ""
        form[f"summary_{lang}"].data = text.summary if text else ""
        form[f"story_{lang}"].data = text.story if text else ""
        form[f"shots_{lang}"].data = text.shot_list if text else ""
        form[f"location_{lang}"].data = text.location if text else ""
        form[f"terms_{lang}"].data = text.usage_terms if text else ""


def save_form(form, video):
    """Store the form's values on the video (its texts and tags included)."""
    video.recorded_on = form.recorded_on.data
    video.credit = (form.credit.data or "").strip() or default_credit()
    by_lang = {t.lang: t for t in video.texts}
    for lang in ("fr", "en"):
        values = {
            "title": (form[f"title_{lang}"].data or "").strip(),
            "summary": (form[f"summary_{lang}"].data or "").strip(),
            "story": (form[f"story_{lang}"].data or "").strip(),
            "shot_list": "\n".join(
                line.strip()
                for line in _shot_list(form, form[f"shots_{lang}"].data).splitlines()
                if line.strip()
            ),
            "location": " ".join((form[f"location_{lang}"].data or "").split()),
            "usage_terms": (form[f"terms_{lang}"].data or "").strip(),
        }
        text = by_lang.get(lang)
        if text is None:
            if not any(values.values()):
                continue
            text = VideoText(lang=lang)
            video.texts.append(text)
        for key, value in values.items():
            setattr(text, key, value)
    names = parse_tags(form.tags.data)
    tags = []
    for name in names:
        tag = db.session.execute(
            db.select(Tag).where(db.func.lower(Tag.name) == name.lower())
        ).scalar_one_or_none()
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        tags.append(tag)
    video.tags = tags
    video.slug = slugify(best_title(video)) or "video"


def _shot_list(form, text):
    if form.convert_shots.data:
        return to_master_timecodes(text, form.clock, form.frame_count)
    return text or ""


def best_title(video):
    for lang in current_app.config["LANGUAGES"]:
        for text in video.texts:
            if text.lang == lang and text.title:
                return text.title
    return ""


def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-")


class CaptionForm(Form):
    lang = SelectField(_l("Language"))
    file = FileField(_l("WebVTT or SRT file"), validators=[FileRequired(_l("Choose a file."))])
    allow_overlap = BooleanField(_l("Cues may overlap (two speakers at once)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lang.choices = [
            (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
        ]
