"""Newsletter forms. Messages are ours, in English, wrapped for translation."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import Form
from app.i18n import LANGUAGE_NAMES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _language_choices():
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


class SubscribeForm(Form):
    email = StringField(
        _l("E-mail address"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        ],
        render_kw={"autocomplete": "email", "type": "email", "inputmode": "email"},
    )
    language = SelectField(
        _l("Language of the newsletter"),
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()

    def validate_email(self, field):
        try:
            validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(
                _l("Enter a valid e-mail address, such as name@example.com.")
            ) from exc

    def validate_language(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose French or English."))


class IssueForm(Form):
    subject_fr = StringField(
        _l("Subject (French)"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Write the subject in French.")),
            Length(max=200, message=_l("A subject has at most 200 characters.")),
        ],
        render_kw={"lang": "fr"},
    )
    intro_fr = TextAreaField(
        _l("Introduction (French)"),
        filters=[_strip],
        validators=[Length(max=20000, message=_l("The introduction is too long."))],
        render_kw={"lang": "fr"},
    )
    subject_en = StringField(
        _l("Subject (English)"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Write the subject in English.")),
            Length(max=200, message=_l("A subject has at most 200 characters.")),
        ],
        render_kw={"lang": "en"},
    )
    intro_en = TextAreaField(
        _l("Introduction (English)"),
        filters=[_strip],
        validators=[Length(max=20000, message=_l("The introduction is too long."))],
        render_kw={"lang": "en"},
    )


class ActionForm(Form):
    """A button that changes state: only the CSRF token."""
