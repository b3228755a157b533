"""`flask --app wsgi rushes ...` commands."""

import os

import click
from flask import current_app
from flask.cli import AppGroup
from huey.consumer import Consumer

# The worker runs every area's tasks: importing them registers them with huey.
from app.alerts import tasks as alert_tasks
from app.clips import tasks as clip_tasks  # noqa: F401
from app.clock import utcnow
from app.demo import credentials_path, run_demo
from app.extensions import db, huey
from app.ingest import tasks as ingest_tasks  # noqa: F401
from app.ingest.importer import import_files
from app.ingest.store import remove_expired_uploads
from app.jobs import bind_worker
from app.models import User
from app.newsletter import tasks as newsletter_tasks  # noqa: F401
from app.security import passwords

rushes_cli = AppGroup("rushes", help="Rushes administration commands.")


@rushes_cli.command("create-staff")
@click.argument("email")
@click.option("--name", default="Staff", show_default=True, help="Full name.")
def create_staff(email, name):
    """Create a staff account, or make an existing account staff.

    The password comes from RUSHES_STAFF_PASSWORD, else from a hidden prompt.
    """
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
    click.echo(f"Rushes worker: {workers} threads, queue {huey.storage.__class__.__name__}")
    current_app.logger.setLevel("INFO")
    bind_worker(current_app._get_current_object())
    Consumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=current_app.config["WORKER_MAX_DELAY"],
    ).run()


@rushes_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish each video once it is ready.")
@click.option("--title", default=None, help="Title (in the first site language) of every file.")
@click.option("--copy", "force_copy", is_flag=True, help="Always copy, never hard-link.")
def import_command(files, publish, title, force_copy):
    """Ingest video files already on the server (bulk loads)."""
    failures, published = import_files(files, publish=publish, title=title, link=not force_copy)
    for video_id in published:
        alert_tasks.video_published(video_id)
    if failures:
        raise click.ClickException(f"{failures} file(s) could not be imported.")


@rushes_cli.command("demo")
def demo_command():
    """Create the demo staff account and demo videos (idempotent)."""
    user, password, created, published = run_demo(echo=click.echo)
    for video_id in published:
        alert_tasks.video_published(video_id)
    click.echo(f"Demo ready: {created} video(s) created.")
    click.echo(f"Staff account: {user.email}  password: {password}")
    click.echo(f"(kept in {credentials_path()})")


@rushes_cli.command("cleanup-uploads")
def cleanup_uploads_command():
    """Delete uploads abandoned for UPLOAD_EXPIRY_HOURS (the worker also does it hourly)."""
    click.echo(f"{remove_expired_uploads()} abandoned upload(s) removed.")
