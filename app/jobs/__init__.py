"""Background jobs (huey): the binding of tasks to the Flask app.

Tasks live with their area (app/clips/tasks.py, app/ingest/tasks.py,
app/newsletter/tasks.py) and are thin: load rows, call the area's services or app.media,
save. Every task is idempotent, so running it again after a crash is safe.

A task runs in an app context: in immediate mode (tests, `HUEY_IMMEDIATE`) the caller's;
in a worker, the one `bind_worker` pushes in each of its threads when it starts.
"""

from flask import Flask

from app.extensions import huey


def app_task(**task_options):
    """A huey task; its body runs in the app context of the process that runs it."""
    return huey.task(**task_options)


def periodic_app_task(schedule, **task_options):
    """A periodic huey task (run by the worker on `schedule`, or enqueued by a call)."""
    return huey.periodic_task(schedule, **task_options)


def bind_worker(app: Flask):
    """Give every worker thread of this process an app context of `app`."""

    @huey.on_startup()
    def push_app_context():
        app.app_context().push()
