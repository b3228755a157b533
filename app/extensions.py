"""Extension objects, created unbound here and bound to the app in create_app()."""

import os

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from huey import RedisHuey, SqliteHuey
from sqlalchemy import MetaData

import config

# Named constraints so that Alembic migrations work on SQLite and PostgreSQL alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

db = SQLAlchemy(metadata=metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
# Shared by every process when REDIS_URL is set (CACHE_TYPE in config.py).
cache = Cache()


def _make_huey():
    # The worker imports this module without an app, so huey reads the environment
    # directly: SQLite next to the database by default, Redis when REDIS_URL is set.
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("rushes", url=redis_url)
    os.makedirs(config.INSTANCE_PATH, exist_ok=True)
    return SqliteHuey("rushes", filename=config.Config.HUEY_SQLITE_PATH)


huey = _make_huey()
