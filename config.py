"""Settings, read from the environment with safe development defaults.

Every setting a deployment may change is listed in README.md ("Configuration").
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("RUSHES_INSTANCE", BASE_DIR / "instance"))

# Known value so that production mode can refuse it (see app.create_app).
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105
DEV_SITE_URL = "http://127.0.0.1:8000"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    return int(os.environ.get(name, default))


def _float(name, default):
    return float(os.environ.get(name, default))


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_PATH / 'rushes.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = os.environ.get("RUSHES_ENV", "development")  # "production" hardens the app
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SITE_NAME = os.environ.get("SITE_NAME", "Rushes")
    # Absolute URLs in e-mails (newsletter posters, links) when no request is at hand.
    # Every absolute link (mails, feeds) starts with it, never with the request's Host.
    SITE_URL = os.environ.get("SITE_URL", DEV_SITE_URL)
    # Host names the app answers to (others get 400). In production, when unset: the
    # host of SITE_URL only. Comma-separated, e.g. "media.example.org,localhost".
    TRUSTED_HOSTS = [
        h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
    ] or None
    INSTANCE_DIR = str(INSTANCE_PATH)

    # Number of reverse proxies in front (nginx: 1) whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE_PATH / "media"))
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Mail. Without MAIL_SERVER, mail is not sent but printed and kept under instance/mail/.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Rushes <no-reply@localhost>")
    MAIL_SUPPRESS_SEND = not MAIL_SERVER
    MAIL_FILE_DIR = str(INSTANCE_PATH / "mail")
    # Every wait on the mail server (connecting, each answer) is bounded by this. Account
    # mails go through the job queue: a failed send is tried MAIL_RETRIES more times.
    MAIL_TIMEOUT = _float("MAIL_TIMEOUT", 30.0)
    MAIL_RETRIES = _int("MAIL_RETRIES", 5)
    MAIL_RETRY_DELAY = _int("MAIL_RETRY_DELAY", 60)

    # Languages: the UI and e-mails exist in these; the first is the fallback.
    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = ENV_NAME == "production"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = ENV_NAME == "production"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead: long forms must not expire

    # One-time codes (sign-up verification, password reset)
    CODE_TTL_SECONDS = 30 * 60
    CODE_MAX_ATTEMPTS = 5
    CODE_RESEND_INTERVAL_SECONDS = 60
    CODE_MAX_PER_HOUR = 5

    # Rate limits (Flask-Limiter); stored in Redis when REDIS_URL is set.
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # argon2id parameters: argon2-cffi's defaults (RFC 9106's second recommended option:
    # 3 passes over 64 MiB, 4 lanes). A hash made with other ones is upgraded at log-in.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536
    PASSWORD_HASH_PARALLELISM = 4
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    FORM_LIMIT_PER_ADDRESS = os.environ.get("FORM_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    # The JSON API, per token; stills newly made, per user (cached ones do not count).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    STILL_LIMIT_PER_USER = os.environ.get("STILL_LIMIT_PER_USER", "60 per minute")

    # Background jobs (huey): SQLite file by default, Redis when REDIS_URL is set.
    HUEY_SQLITE_PATH = str(INSTANCE_PATH / "jobs.db")
    HUEY_IMMEDIATE = False
    # The SQLite queue is polled: an idle worker backs off up to this many seconds
    # (huey's default is 10, which a user waiting for a clip would feel). Redis blocks.
    WORKER_MAX_DELAY = _float("WORKER_MAX_DELAY", 0.25)

    # Uploads and downloads
    MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_BYTES", 200 * 1024**3)
    UPLOAD_EXPIRY_HOURS = _int("UPLOAD_EXPIRY_HOURS", 24)
    # Size of each PATCH the upload page sends: what a dropped connection costs at most;
    # keep it under the proxy's request body limit (nginx client_max_body_size).
    UPLOAD_CHUNK_BYTES = _int("UPLOAD_CHUNK_BYTES", 50 * 1024**2)
    # Uploads in progress; keep it on the same filesystem as MEDIA_ROOT (a rename, no copy).
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_PATH / "uploads"))
    X_ACCEL_REDIRECT = _bool("X_ACCEL_REDIRECT")
    X_ACCEL_PREFIX = os.environ.get("X_ACCEL_PREFIX", "/_protected/")
    CLIP_CACHE_MAX_BYTES = _int("CLIP_CACHE_MAX_BYTES", 50 * 1024**3)
    CLIP_STALE_SECONDS = _int("CLIP_STALE_SECONDS", 300)  # a silent running cut has died
    CLIP_QUEUED_STALE_SECONDS = _int("CLIP_QUEUED_STALE_SECONDS", 3600)  # a queued cut was lost
    CLIP_MAX_PENDING_PER_USER = _int("CLIP_MAX_PENDING_PER_USER", 5)
    # The basket (docs/basket.md): items in one basket, and the estimated size of one
    # basket download (one ZIP), at most.
    BASKET_MAX_ITEMS = _int("BASKET_MAX_ITEMS", 50)
    BASKET_MAX_BYTES = _int("BASKET_MAX_BYTES", 20 * 1024**3)

    # Caches (Flask-Caching): in each process by default, in Redis when REDIS_URL is set
    # (then every process sees an edit at once).
    CACHE_TYPE = "RedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "rushes:")
    CACHE_DEFAULT_TIMEOUT = 300
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 25_000)  # SimpleCache: entries kept at most

    # Library
    VIDEOS_PER_PAGE = 24
    # A listing page's body is cached this long at most; a change to a video is seen at
    # once wherever the cache is shared (app/library/page_cache.py); with the in-process
    # cache, other processes see it within this time. 0 turns the cache off.
    LIBRARY_CACHE_SECONDS = _int("LIBRARY_CACHE_SECONDS", 30)
    # Each video's card (grid and search results) likewise, per video and language.
    LIBRARY_CARD_CACHE_SECONDS = _int("LIBRARY_CARD_CACHE_SECONDS", 30)
    DOWNLOAD_BLOCK_SIZE = _int("DOWNLOAD_BLOCK_SIZE", 256 * 1024)  # when not using sendfile

    # Newsletter (docs/newsletter.md)
    NEWSLETTER_CONFIRM_MAX_AGE = _int("NEWSLETTER_CONFIRM_MAX_AGE", 7 * 24 * 3600)  # seconds
    NEWSLETTER_CONFIRM_RESEND_SECONDS = _int("NEWSLETTER_CONFIRM_RESEND_SECONDS", 300)
    NEWSLETTER_LIMIT_PER_ADDRESS = os.environ.get(
        "NEWSLETTER_LIMIT_PER_ADDRESS", "5 per minute; 30 per hour"
    )
    NEWSLETTER_BATCH_SIZE = _int("NEWSLETTER_BATCH_SIZE", 100)
    NEWSLETTER_RATE_PER_SECOND = float(os.environ.get("NEWSLETTER_RATE_PER_SECOND", "20"))
    # The mailto: half of List-Unsubscribe; empty = only the https one-click link.
    NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
    # A run whose heartbeat is older than this is taken for dead and resumed by the worker.
    NEWSLETTER_STALE_SECONDS = _int("NEWSLETTER_STALE_SECONDS", 120)

    # Saved-search alerts (docs/alerts.md): the hour (UTC, 0-23) of the daily digests.
    ALERT_DIGEST_HOUR = _int("ALERT_DIGEST_HOUR", 7)

    # Media encoding. The web proxy feeds the player; the others are download renditions.
    # A rung taller than the master is skipped: renditions are never upscaled.
    RENDITIONS = (
        {
            "name": "proxy",
            "label": "Web proxy",
            "height": 540,
            "crf": 23,
            "preset": "veryfast",
            "maxrate": "2500k",
            "audio_bitrate": "128k",
            "keyint_seconds": 1,
            "download": False,
        },
        {
            "name": "fhd",
            "label": "Full HD 1080p",
            "height": 1080,
            "crf": 18,
            "preset": "veryfast",
            "maxrate": "12000k",
            "audio_bitrate": "192k",
            "keyint_seconds": 2,
            "download": True,
        },
        {
            "name": "hd",
            "label": "HD 720p",
            "height": 720,
            "crf": 20,
            "preset": "veryfast",
            "maxrate": "6000k",
            "audio_bitrate": "160k",
            "keyint_seconds": 2,
            "download": True,
        },
        # For SD playout: 720x576 (anamorphic), fields top first, GOP of 12 at 8 Mb/s at
        # most; made only from 25 or 50 frame/s masters taller than 576 (docs/media.md).
        {
            "name": "sd",
            "label": "SD 576i25",
            "height": 576,
            "width": 720,
            "interlaced": True,
            "frame_rate": 25,
            "crf": 18,
            "preset": "veryfast",
            "maxrate": "8000k",
            "audio_bitrate": "192k",
            "keyint_seconds": 0.48,
            "download": True,
        },
    )
    POSTER_WIDTH = 1280
    THUMBNAIL_INTERVAL_SECONDS = 2


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret"  # noqa: S105
    WTF_CSRF_ENABLED = True
    HUEY_IMMEDIATE = True
    LIBRARY_CACHE_SECONDS = 0
    LIBRARY_CARD_CACHE_SECONDS = 0
    CACHE_TYPE = "SimpleCache"  # one per app: tests never share it unless they mean to
    MAIL_SUPPRESS_SEND = False
    # Immediate jobs: a failed account mail is failed at once (its retries are tested
    # with a queue of their own, tests/auth/test_mail_queue.py).
    MAIL_RETRIES = 0
    MAIL_TIMEOUT = 5.0
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap hashing: the tests create hundreds of accounts (production keeps the defaults,
    # tests/auth/test_passwords.py checks it).
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 8
    PASSWORD_HASH_PARALLELISM = 1
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
