"""Rushes: a self-hosted portal for broadcast-quality video.

create_app() builds the Flask application: configuration, extensions,
blueprints, error pages, security headers and CLI commands.
"""

import os

from flask import Flask

import config as settings
from app.extensions import babel, csrf, db, huey, limiter, login_manager, migrate


def create_app(config_object=None, **overrides):
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(base, "templates"),
        static_folder=os.path.join(base, "static"),
        instance_path=settings.Config.INSTANCE_DIR,
    )
    app.config.from_object(config_object or settings.Config)
    app.config.update(overrides)
    _refuse_unsafe_production(app)
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["MEDIA_ROOT"], exist_ok=True)

    from app import extensions, i18n, mail_files, security_headers
    from app.models import User

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(base, "migrations"))
    csrf.init_app(app)
    # Not the global `mail`: importing the app.mail module rebinds that name on this package.
    extensions.mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
    login_manager.user_loader(User.load_by_session_token)
    huey.immediate = app.config["HUEY_IMMEDIATE"]
    mail_files.init_app(app)
    security_headers.init_app(app)
    i18n.init_app(app)

    from app import errors, jobs, site
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.library import bp as library_bp
    from app.newsletter import bp as newsletter_bp

    jobs.bind_app(app)
    app.register_blueprint(site.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(library_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(newsletter_bp)
    app.register_blueprint(admin_bp)
    errors.init_app(app)
    from app import templating

    templating.init_app(app)

    from app.cli import rushes_cli

    app.cli.add_command(rushes_cli)
    return app


def _refuse_unsafe_production(app):
    if app.config["ENV_NAME"] != "production":
        return
    if app.config["SECRET_KEY"] in (settings.DEV_SECRET_KEY, "", None):
        raise RuntimeError(
            "RUSHES_ENV=production needs a SECRET_KEY of its own: "
            'set SECRET_KEY, e.g. to the output of python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )
