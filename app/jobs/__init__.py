"""Background jobs (huey). Tasks are thin: load rows, call app.media or app.mail, save.

Tasks run inside an app context of the app bound here: the web app in immediate mode
(tests), or the app built by `flask rushes worker` in a worker process. Every task is
idempotent, so running it again after a crash is safe.
"""

import functools

from flask import has_app_context

from app.extensions import huey

_app = None


def bind_app(app):
    global _app
    _app = app


def app_task(**task_options):
    """huey.task() whose body runs inside the bound Flask app's context."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            if has_app_context():
                return fn(*args, **kwargs)
            with _app.app_context():
                return fn(*args, **kwargs)

        return huey.task(**task_options)(run)

    return decorate


def import_tasks():
    """Register every task module with huey (the worker needs them all)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
