"""Forms of saved searches. Messages are ours, in English, wrapped for translation."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from app.alerts.service import MAX_QUERY_LENGTH
from app.auth.forms import required
from app.forms import Form, strip
from app.i18n import LANGUAGE_NAMES
from app.models import SavedSearch

MAX_NAME = 100


def _frequencies():
    return [("immediate", _l("At once, for each new video")), ("daily", _l("Once a day (digest)"))]


def _name_field():
    return StringField(
        _l("Name of the search"),
        filters=[strip],
        validators=[
            required(_l("Give the search a name.")),
            Length(max=MAX_NAME, message=_l("A name has at most 100 characters.")),
        ],
    )


def _frequency_field():
    return SelectField(_l("E-mail alerts"), choices=_frequencies(), validate_choice=False)


def _check_frequency(field):
    if field.data not in SavedSearch.FREQUENCIES:
        raise ValidationError(_l("Choose how often you receive alerts."))


class SaveSearchForm(Form):
    name = _name_field()
    query = HiddenField(
        validators=[Length(max=MAX_QUERY_LENGTH, message=_l("This search is too long to save."))]
    )
    language = SelectField(
        _l("Language of the alerts and of the feed"),
        choices=list(LANGUAGE_NAMES.items()),
        validate_choice=False,
    )
    frequency = _frequency_field()

    def validate_language(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages offered."))

    def validate_frequency(self, field):
        _check_frequency(field)


class EditSearchForm(Form):
    name = _name_field()
    frequency = _frequency_field()
    alerts_on = BooleanField(_l("Send me e-mail alerts for this search"))

    def validate_frequency(self, field):
        _check_frequency(field)
