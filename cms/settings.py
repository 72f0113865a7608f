"""Gloss settings, read from the environment and failing closed.

Every variable is listed in README.md and .env.example. A `.env` file in the project
folder (written by `make run` for local development) is read first; real environment
variables win over it.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines from `path` into os.environ without overriding what is set."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_read_dotenv(BASE_DIR / ".env")


def env(name: str, default: str = "") -> str:
    """The variable's value, or `default` when it is unset *or empty*.

    `.env.example` lists every variable, many with no value: an empty value must mean
    "not set" (an empty DJANGO_STATIC_ROOT once made the project folder the static root,
    and WhiteNoise served the source and `.env`). Every setting is read through here.
    """
    value = os.environ.get(name, "").strip()
    return value if value else default


def env_int(name: str, default: int) -> int:
    value = env(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Django DATABASES entry for `sqlite:///path` or `postgres://user:pass@host:port/name`."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        # sqlite:///relative.sqlite3 or sqlite:////absolute/path.sqlite3
        name = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / name) if not Path(name).is_absolute() else name,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": env("DJANGO_TEST_DATABASE", "test_gloss")},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def cache_from_url(url: str) -> dict:
    """Django CACHES entry for `locmem://` (per process, the default) or `redis://host:port/db`
    (shared by every process; needs the `redis` package)."""
    scheme = urlsplit(url).scheme
    if scheme == "locmem":
        # Counted in pages, not bytes: a listing is 50-150 KB, the busiest article page ~1 MB.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    if scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # A server that stops answering costs a request at most this long before the
            # page renders without the cache (publishing/page_cache.py), not the OS's
            # minutes-long connect timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    raise ImproperlyConfigured(f"GLOSS_CACHE_URL scheme {scheme!r} is not supported")


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    # Debug only: a per-process key. `make run` writes a stable one into .env instead.
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search expressions and their GIN indexes (inert on SQLite).
    "django.contrib.postgres",
    "django_filters",
    "taggit",
    "articles",
    "annotations",
    "publishing",
    "intake",
    "audit",
    "backups",
    "rounds",
    "echoes",
    "suggestions",
    "axes",
    # The database backend of django.tasks and its worker (`manage.py db_worker`).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Hostile lookups on any admin changelist, Django's own included: `?e=1`, never a 500.
    "cms.admin_lookups.CheckedChangelistMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "cms.layout.frame",
            ],
        },
    },
    # The public pages (templates/publishing/): Jinja2 with autoescaping renders their rows
    # and facet checkboxes about three times faster than Django templates (README,
    # Performance). Views pick it with `template_engine = "jinja2"`.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "publishing.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.layout.frame",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env("DATABASE_URL", "sqlite:///db.sqlite3")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered public pages for anonymous visitors, keyed by the corpus version every write
# service bumps (publishing/page_cache.py); 0 seconds turns that cache off. In production
# point GLOSS_CACHE_URL at Redis, so the workers share pages and render each one once.
CACHES = {"default": cache_from_url(env("GLOSS_CACHE_URL", "locmem://"))}
GLOSS_PAGE_CACHE = "default"
GLOSS_PAGE_CACHE_SECONDS = env_int("GLOSS_PAGE_CACHE_SECONDS", 600)
# How long /analysis/ keeps a filter set's counted tables (any write ends it sooner), which
# its page, charts and CSV share; -1 (unset): as long as a page; 0: count on every request.
GLOSS_ANALYSIS_CACHE_SECONDS = env_int("GLOSS_ANALYSIS_CACHE_SECONDS", -1)
# While a page is re-rendered after a write, other readers get the earlier page if its
# rendering began at most this long ago; 0: they wait for the new one instead.
GLOSS_PAGE_STALE_SECONDS = env_int("GLOSS_PAGE_STALE_SECONDS", 30)
# A process reuses the corpus version it read this recently (seconds) for the W3C answers
# it serves from the cache (publishing/version.py); its own writes are seen at once,
# another process's at most this late. 0: read it on every request.
GLOSS_CORPUS_VERSION_SECONDS = float(env("GLOSS_CORPUS_VERSION_SECONDS", "1"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after GLOSS_LOGIN_FAILURE_LIMIT failures for one username
# from one address, that pair is refused (even with the right password) for the cool-off.
# The API's personal tokens authenticate through their own backend, exempt from throttling.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "annotations.auth.ApiTokenBackend",
]
AXES_WHITELIST_CALLABLE = "annotations.auth.is_token_attempt"
AXES_FAILURE_LIMIT = env_int("GLOSS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=float(env("GLOSS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock runs from the last failure before it began: attempts while locked (even with the
# right password) are refused without restarting the cool-off, so waiting it out works.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address: the socket's, unless a trusted proxy in front sets X-Forwarded-For
# (otherwise anyone could send that header and get a fresh counter on every attempt).
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("DJANGO_BEHIND_PROXY") else ["REMOTE_ADDR"]
)
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("DJANGO_BEHIND_PROXY") else None

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"


def safe_static_root(value: str) -> Path:
    """The folder collectstatic fills and WhiteNoise serves whole, refused where serving it
    would publish the project: the project folder, one of its parents, or any folder that
    holds `manage.py`, `.env` or Python source."""
    root = (BASE_DIR / value).resolve() if value else BASE_DIR / "staticfiles"
    project = BASE_DIR.resolve()
    if root == project or root in project.parents:
        raise ImproperlyConfigured(
            f"DJANGO_STATIC_ROOT {str(root)!r} is the project folder or one of its parents: "
            "the server would publish its source, settings and secrets"
        )
    if root.is_dir() and any(
        (root / name).exists() for name in ("manage.py", ".env", "__init__.py", "settings.py")
    ):
        raise ImproperlyConfigured(
            f"DJANGO_STATIC_ROOT {str(root)!r} holds source files (manage.py, .env or a "
            "Python package): point it at a folder of its own"
        )
    return root


STATIC_ROOT = safe_static_root(env("DJANGO_STATIC_ROOT"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("DJANGO_PLAIN_STATIC", default=DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Content Security Policy (Django's built-in middleware): no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Our page for a failed CSRF check: Django's own has an inline <style> the CSP refuses.
CSRF_FAILURE_VIEW = "cms.errors.csrf_failure"

# Security headers; HTTPS-only settings are on unless debugging or explicitly disabled.
_HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = _HTTPS and env_bool("DJANGO_SSL_REDIRECT", default=True)
# Load balancers probe /healthz on the private port, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
# Preloading is a near-irreversible promise for a whole domain (often a university's):
# the operator opts in with DJANGO_HSTS_PRELOAD=1, so its deploy warning is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes announces itself at INFO in every process; lockouts are WARNINGs.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Gloss: where the demo corpus lives (third-party text, never copied into the project).
GLOSS_SEEDS_DIR = Path(env("GLOSS_SEEDS_DIR") or BASE_DIR.parent / "shared" / "seeds")
# Rows per database round trip when streaming the CSV export.
GLOSS_EXPORT_CHUNK_SIZE = env_int("GLOSS_EXPORT_CHUNK_SIZE", 2000)
# Development only: the benchmarks' app (tests/bench: `manage.py generate_corpus`, and
# `/bench/ping`, the trivial view figures are measured against). On with debug by default;
# the benchmark harness turns it on for its production-configured gunicorn. Production
# never installs it.
GLOSS_BENCH = env_bool("GLOSS_BENCH", default=DEBUG)
if GLOSS_BENCH:
    INSTALLED_APPS += ["tests.bench"]

# Gloss intake: background imports run as django.tasks tasks, stored in the database and
# run by `manage.py db_worker` (tests use the immediate backend: tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Fetching web pages: private, loopback and link-local addresses are refused unless this
# is on (the tests' loopback page server needs it); at most one request per this many
# seconds to one host.
GLOSS_FETCH_ALLOW_PRIVATE = env_bool("GLOSS_FETCH_ALLOW_PRIVATE", default=False)
GLOSS_FETCH_HOST_INTERVAL = float(env("GLOSS_FETCH_HOST_INTERVAL", "1"))
