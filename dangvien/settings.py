"""Settings for dangvien.

Everything that differs between machines comes from environment variables read by the
strict helpers in ``dangvien.core.env``: a bad value stops the start-up with a message
instead of being silently replaced by a default.
"""

from pathlib import Path

import dj_database_url

from dangvien.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DANGVIEN_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# DANGVIEN_ENV=production is set by the deployment: there DEBUG must be off. Any run with
# DEBUG off (production or not) must have its own secret key.
ENVIRONMENT = env_str("DANGVIEN_ENV", "development")
if ENVIRONMENT not in ("development", "production"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DANGVIEN_ENV must be development or production, not {ENVIRONMENT!r}."
    )
if (ENVIRONMENT == "production" and DEBUG) or (not DEBUG and SECRET_KEY == DEV_SECRET_KEY):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DEBUG is on in production: set DEBUG=0."
        if DEBUG
        else "SECRET_KEY is the development key: set SECRET_KEY for production "
        "(or DEBUG=1 on a developer machine)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "dangvien.core",
    "dangvien.accounts",
    "dangvien.organisations",
    "dangvien.people",
    "dangvien.members",
    "dangvien.candidates",
    "dangvien.training",
    "dangvien.exams",
    "dangvien.stats",
    "dangvien.reviews",
    "dangvien.screening",
    "dangvien.documents",
    "dangvien.imports",
    "dangvien.privacy",
    "dangvien.auditlog",
    "dangvien.synth",
    "dangvien.rowsecurity",
    "dangvien.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangvien.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangvien.core.middleware.NormaliseTextMiddleware",
    "dangvien.core.middleware.AuditActorMiddleware",
    "dangvien.rowsecurity.middleware.RowScopeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangvien.urls"
WSGI_APPLICATION = "dangvien.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangvien" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "dangvien.core.templatetags.vn",
                "template_partials.templatetags.partials",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangvien.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock at
    # the start of each transaction so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Read replicas for reports (issue 9, docs/deploy.md): DATABASE_REPLICA_URL adds a
# "replica" alias; the router sends the reads of report pages there.
# --- database router: owned by core/dbrouter.py (issue 9) ---
DATABASE_ROUTERS = ["dangvien.core.dbrouter.ReportRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Account lockout (django-axes): after AXES_FAILURE_LIMIT failures for the same user name
# from the same address, that pair is locked for AXES_COOLOFF_TIME hours. Keyed on the
# pair because a whole office often sits behind one gateway address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

CSRF_FAILURE_VIEW = "dangvien.core.views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 8)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["dangvien.formats"]
LOCALE_PATHS = [BASE_DIR / "dangvien" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "dangvien" / "static"]

# Uploaded files (signed scans, import files) live here, outside the web root: no URL
# serves this folder; views read a file only after the scope check (issue 8).
UPLOADS_DIR = Path(env_str("DANGVIEN_UPLOADS_DIR", str(VAR_DIR / "uploads")))
# Uploads over this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background work (imports): Django's tasks API (the django-tasks backport) with the
# database backend of django-tasks-db; ``manage.py db_worker`` runs the queue.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)

# --- Two-factor login, passwords, sessions (accounts, issue 9) ---
# Passkeys (django-otp-webauthn): the relying party is the site's own host name.
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = "Phát triển đảng viên"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("OTP_WEBAUTHN_ALLOWED_ORIGINS", ["http://localhost:8000"])

# --- Content-Security-Policy and transport security (issue 9) ---

# --- Field encryption of personal data (core/crypto.py, issue 9) ---

# --- Audit and access logs: retention, hash chain (auditlog, issue 9) ---

# --- Personal data: notice, consent, data-subject requests (privacy, issue 9) ---

# --- Row-level security on PostgreSQL (rowsecurity, issue 9) ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
