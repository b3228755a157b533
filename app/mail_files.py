"""Development mail: without MAIL_SERVER, print each message and keep it as .eml.

Flask-Mail still builds and "dispatches" every message when sending is suppressed,
so a newcomer reads the verification code in the terminal or in instance/mail/.
"""

import os
import sys
import time

from flask_mail import email_dispatched


def init_app(app):
    if not app.config.get("MAIL_SUPPRESS_SEND") or app.testing:
        return
    email_dispatched.connect(_keep_message, sender=app, weak=False)


def _keep_message(app, message):
    folder = app.config["MAIL_FILE_DIR"]
    os.makedirs(folder, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns()}.eml"
    path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(message.as_bytes())
    print(
        f"\n----- mail to {', '.join(message.recipients)} (kept as {path}) -----\n"
        f"Subject: {message.subject}\n\n{message.body}\n-----",
        file=sys.stderr,
        flush=True,
    )
