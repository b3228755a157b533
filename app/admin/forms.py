"""Forms of the admin area: the description of a video in each language."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.clock import utcnow

SHOT_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})[:;.](\d{2})(?:\s+(.*))?$")
TAG_MAX = 80


def default_credit():
    return f"© {current_app.config['SITE_NAME']}, {utcnow().year}"


def apply_defaults(video):
    if not video.credit:
        video.credit = default_credit()


def bad_shot_lines(text, fps=None):
    """Line numbers (1-based) of a shot list that are not "HH:MM:SS:FF description"."""
    max_frames = int(round(fps)) if fps else 60
    bad = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = SHOT_RE.match(line)
        if not match or not (match.group(5) or "").strip():
            bad.append(number)
            continue
        hours, minutes, seconds, frames = (int(g) for g in match.groups()[:4])
        if minutes > 59 or seconds > 59 or frames >= max_frames:
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


class ShotList:
    """Validator: every non-empty line is "HH:MM:SS:FF description"."""

    def __call__(self, form, field):
        bad = bad_shot_lines(field.data, getattr(form, "fps", None))
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


LANG_LABELS = {"fr": _l("French"), "en": _l("English")}


def _text_fields(lang):
    return {
        f"title_{lang}": StringField(_l("Title"), validators=[Optional(), Length(max=300)]),
        f"summary_{lang}": TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)]),
        f"story_{lang}": TextAreaField(_l("Story"), validators=[Optional(), Length(max=50000)]),
        f"shots_{lang}": TextAreaField(
            _l("Shot list"), validators=[Optional(), Length(max=50000), ShotList()]
        ),
    }


class VideoForm(FlaskForm):
    recorded_on = DateField(_l("Recording date"), validators=[Optional()])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)])
    credit = StringField(_l("Credit line"), validators=[Optional(), Length(max=300)])
    usage_terms = TextAreaField(_l("Usage terms"), validators=[Optional(), Length(max=10000)])

    fps = None  # frame rate of the master, to check the frame part of timecodes

    def text_fields(self, lang):
        return [self[f"{name}_{lang}"] for name in ("title", "summary", "story", "shots")]


for _lang in ("fr", "en"):
    for _name, _field in _text_fields(_lang).items():
        setattr(VideoForm, _name, _field)


def fill_form(form, video):
    """Put the video's current values in the form (GET)."""
    form.recorded_on.data = video.recorded_on
    form.location.data = video.location
    form.tags.data = ", ".join(t.name for t in video.tags)
    form.credit.data = video.credit or default_credit()
    form.usage_terms.data = video.usage_terms
    by_lang = {t.lang: t for t in video.texts}
    for lang in ("fr", "en"):
        text = by_lang.get(lang)
        form[f"title_{lang}"].data = text.title if text else ""
        form[f"summary_{lang}"].data = text.summary if text else ""
        form[f"story_{lang}"].data = text.story if text else ""
        form[f"shots_{lang}"].data = text.shot_list if text else ""


def save_form(form, video):
    """Store the form's values on the video (its texts and tags included)."""
    from app.extensions import db
    from app.models import Tag, VideoText

    video.recorded_on = form.recorded_on.data
    video.location = (form.location.data or "").strip()
    video.credit = (form.credit.data or "").strip() or default_credit()
    video.usage_terms = (form.usage_terms.data or "").strip()
    by_lang = {t.lang: t for t in video.texts}
    for lang in ("fr", "en"):
        values = {
            "title": (form[f"title_{lang}"].data or "").strip(),
            "summary": (form[f"summary_{lang}"].data or "").strip(),
            "story": (form[f"story_{lang}"].data or "").strip(),
            "shot_list": "\n".join(
                line.strip()
                for line in (form[f"shots_{lang}"].data or "").splitlines()
                if line.strip()
            ),
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


def best_title(video):
    for lang in current_app.config["LANGUAGES"]:
        for text in video.texts:
            if text.lang == lang and text.title:
                return text.title
    return ""


def slugify(text):
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-")
