"""Flask-WTF forms of the account flows.

Every message is English wrapped for translation; WTForms' own messages are never
shown (each validator gets one of ours). The base class (JSON bodies, stripping) is
app/forms.py.
"""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from app.forms import Form, strip
from app.security import passwords

MAX_EMAIL = 254
MAX_NAME = 200
# Longer than any valid password, so that the policy names "at most 128 characters",
# but short enough that nobody makes the server hash a megabyte.
MAX_PASSWORD_INPUT = 1024


def required(message=None):
    return DataRequired(message=message or _l("This field is required."))


class EmailAddress:
    """A syntactically valid address (no DNS lookup); stored lower-cased."""

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(
                _l("Enter a valid e-mail address, such as name@example.org.")
            ) from None


class PasswordPolicy:
    """Every rule the password breaks, one message each."""

    def __init__(self, email_field=None):
        self.email_field = email_field

    def __call__(self, form, field):
        email = getattr(form, "policy_email", None)
        if self.email_field:
            email = form[self.email_field].data
        problems = passwords.policy_errors(field.data or "", email=email)
        if problems:
            # One message per broken rule: WTForms keeps one per exception.
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])


def email_field(label=None):
    return StringField(
        label or _l("E-mail address"),
        filters=[strip],
        validators=[
            required(_l("Enter your e-mail address.")),
            Length(max=MAX_EMAIL, message=_l("The e-mail address is too long.")),
            EmailAddress(),
        ],
    )


def new_password_fields(email_field_name=None):
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Choose a password.")),
            Length(max=MAX_PASSWORD_INPUT, message=_l("The password is far too long.")),
            PasswordPolicy(email_field_name),
        ],
    )
    confirm = PasswordField(
        _l("Confirm the password"),
        validators=[
            InputRequired(message=_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )
    return password, confirm


class RegisterForm(Form):
    email = email_field()
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
    password, password_confirm = new_password_fields("email")
    accept_terms = BooleanField(
        _l("I accept the terms of use"),
        validators=[DataRequired(message=_l("You must accept the terms of use."))],
    )
    next = HiddenField()


class CodeForm(Form):
    code = StringField(
        _l("Verification code"),
        filters=[lambda v: "".join(v.split()) if isinstance(v, str) else v],
        validators=[
            required(_l("Enter the code you received.")),
            Length(min=6, max=6, message=_l("The code has 6 digits.")),
        ],
    )

    def validate_code(self, field):
        if not (field.data or "").isascii() or not (field.data or "").isdigit():
            raise ValidationError(_l("The code has 6 digits."))


class EmptyForm(Form):
    """A button: only the CSRF token."""


class LoginForm(Form):
    email = StringField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            required(_l("Enter your e-mail address.")),
            Length(max=MAX_EMAIL, message=_l("The e-mail address is too long.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_PASSWORD_INPUT, message=_l("The password is far too long.")),
        ],
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(Form):
    email = email_field()
    next = HiddenField()


class NewPasswordForm(Form):
    password, password_confirm = new_password_fields()

    def __init__(self, *args, policy_email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy_email = policy_email
