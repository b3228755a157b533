"""Rushes: a self-hosted portal for broadcast-quality video.

create_app() builds the Flask application: configuration, extensions, the input guard,
blueprints, error pages, security headers and CLI commands.
"""

import os
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config as settings
from app import errors, i18n, mail_files, site, templating
from app.account import bp as account_bp
from app.admin import bp as admin_bp
from app.alerts import bp as alerts_bp
from app.api import bp as api_bp
from app.api import tokens_bp as api_tokens_bp
from app.auth import bp as auth_bp
from app.basket import bp as basket_bp
from app.captions import bp as captions_bp
from app.cli import rushes_cli
from app.clips import bp as clips_bp
from app.extensions import babel, cache, csrf, db, huey, limiter, login_manager, mail, migrate
from app.feeds import bp as feeds_bp
from app.http import converters, guard
from app.library import bp as library_bp
from app.models import User
from app.newsletter import bp as newsletter_bp
from app.newsletter import staff_bp as newsletter_staff_bp
from app.scripts import bp as scripts_bp
from app.security import headers as security_headers
from app.security import hosts
from app.stills import bp as stills_bp

BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config_object=None, **overrides):
    app = Flask(
        __name__,
        template_folder=os.path.join(BASE, "templates"),
        static_folder=os.path.join(BASE, "static"),
        instance_path=settings.Config.INSTANCE_DIR,
    )
    app.config.from_object(config_object or settings.Config)
    app.config.update(overrides)
    _refuse_unsafe_production(app)
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    os.makedirs(app.instance_path, exist_ok=True)
    os.makedirs(app.config["MEDIA_ROOT"], exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(BASE, "migrations"))
    guard.init_app(app)  # before CSRFProtect: hostile input is refused first
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
    login_manager.user_loader(User.load_by_session_token)
    huey.immediate = app.config["HUEY_IMMEDIATE"]
    mail_files.init_app(app)
    security_headers.init_app(app)
    hosts.init_app(app)
    i18n.init_app(app)
    converters.init_app(app)  # before the blueprints: their rules use <id:...>

    blueprints = (
        site.bp,
        auth_bp,
        library_bp,
        clips_bp,
        account_bp,
        alerts_bp,
        newsletter_bp,
        newsletter_staff_bp,
        admin_bp,
        feeds_bp,
        api_bp,
        api_tokens_bp,
        stills_bp,
        scripts_bp,
        basket_bp,
        captions_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    templating.init_app(app)
    app.cli.add_command(rushes_cli)
    return app


def _refuse_unsafe_production(app):
    if app.config["ENV_NAME"] != "production":
        return
    secret = app.config["SECRET_KEY"]
    if secret in (settings.DEV_SECRET_KEY, "", None) or len(str(secret).encode()) < 32:
        raise RuntimeError(
            "RUSHES_ENV=production needs a SECRET_KEY of its own, of 32 bytes or more: "
            'set SECRET_KEY, e.g. to the output of python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )
    site_url = app.config["SITE_URL"]
    if site_url in (settings.DEV_SITE_URL, "", None):
        raise RuntimeError(
            "RUSHES_ENV=production needs SITE_URL, the address visitors use "
            "(e.g. https://media.example.org): links in mails are built from it."
        )
    if not app.config.get("TRUSTED_HOSTS"):
        # Answer only to the site's own name: a forged Host gets 400.
        app.config["TRUSTED_HOSTS"] = [urlsplit(site_url).hostname]
