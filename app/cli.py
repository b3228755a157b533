"""`flask --app wsgi rushes ...` commands."""

import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

rushes_cli = AppGroup("rushes", help="Rushes administration commands.")


@rushes_cli.command("create-staff")
@click.argument("email")
@click.option("--name", default="Staff", show_default=True, help="Full name.")
def create_staff(email, name):
    """Create a staff account, or make an existing account staff.

    The password comes from RUSHES_STAFF_PASSWORD, else from a hidden prompt.
    """
    from app.models import User
    from app.security import passwords

    password = os.environ.get("RUSHES_STAFF_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    problems = passwords.policy_errors(password, email=email)
    if problems:
        raise click.ClickException(" ".join(str(p) for p in problems))
    user = User.by_email(email)
    if user is None:
        user = User(email=User.normalise_email(email), full_name=name, organisation="")
        db.session.add(user)
    from app.clock import utcnow

    user.password_hash = passwords.hash_password(password)
    user.is_staff = True
    user.verified_at = user.verified_at or utcnow()
    user.terms_accepted_at = user.terms_accepted_at or utcnow()
    user.rotate_session_token()
    db.session.commit()
    click.echo(f"Staff account ready: {user.email}")


@rushes_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers):
    """Run the background job worker (ingest, clips, newsletter)."""
    from huey.consumer import Consumer

    from app.extensions import huey
    from app.jobs import import_tasks

    import_tasks()
    click.echo(f"Rushes worker: {workers} threads, queue {huey.storage.__class__.__name__}")
    current_app.logger.setLevel("INFO")
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()
