"""Forms of the account page: details, password change, deletion, newsletter button."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.auth.forms import MAX_NAME, MAX_PASSWORD_INPUT, new_password_fields, required
from app.formatting import is_time_zone, time_zones
from app.forms import Form, strip
from app.i18n import LANGUAGE_NAMES


class ProfileForm(Form):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[
            required(_l("Enter your full name.")),
            Length(max=MAX_NAME, message=_l("The name is too long (200 characters at most).")),
        ],
    )
    organisation = StringField(
        _l("Organisation (media outlet)"),
        filters=[strip],
        validators=[
            required(_l("Enter the media outlet you work for.")),
            Length(max=MAX_NAME, message=_l("The name is too long (200 characters at most).")),
        ],
    )
    language = SelectField(
        _l("Language of the site and of our e-mails"),
        choices=list(LANGUAGE_NAMES.items()),
        validate_choice=False,
    )

    timezone = SelectField(
        _l("Time zone of the dates and times shown"),
        choices=[("", _l("The site's (UTC)"))] + [(z, z.replace("_", " ")) for z in time_zones()],
        validate_choice=False,
    )

    def validate_language(self, field):
        if field.data not in LANGUAGE_NAMES:
            raise ValidationError(_l("Choose one of the languages offered."))

    def validate_timezone(self, field):
        if field.data and not is_time_zone(field.data):
            raise ValidationError(_l("Choose one of the time zones offered."))


def _current_password(label=None):
    return PasswordField(
        label or _l("Current password"),
        validators=[
            InputRequired(message=_l("Enter your current password.")),
            Length(max=MAX_PASSWORD_INPUT, message=_l("The password is far too long.")),
        ],
    )


class PasswordChangeForm(Form):
    current_password = _current_password()
    password, password_confirm = new_password_fields()

    def __init__(self, *args, policy_email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_email = policy_email


class DeleteAccountForm(Form):
    delete_password = _current_password(_l("Your password"))
    confirm_delete = BooleanField(
        _l("I understand that my account and my personal data will be deleted for good."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class NewsletterForm(Form):
    next = HiddenField()
