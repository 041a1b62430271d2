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
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

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
    # Behind the reverse proxy: the client's address from X-Forwarded-For, trusted only
    # from TRUSTED_PROXIES (lockout and access log key on it; docs/deploy.md).
    "dangvien.core.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dangvien.core.headers.PermissionsPolicyMiddleware",
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
# The replica is a PostgreSQL streaming standby, reached with the same role as the primary.
# Under test it mirrors "default" (Django's TEST MIRROR: same database, second connection).
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Behind pgbouncer in transaction pooling mode a server-side cursor (QuerySet.iterator())
# may land on another server connection: DB_TRANSACTION_POOLING=1 turns them off
# (Django docs, "Transaction pooling and server-side cursors"; docs/deploy.md).
if env_bool("DB_TRANSACTION_POOLING", False):
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
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
# --- Two-factor login, passwords, sessions (accounts, issue 9) ---
# Passkeys (django-otp-webauthn): the relying party is the site's own host name.
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = "Phát triển đảng viên"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("OTP_WEBAUTHN_ALLOWED_ORIGINS", ["http://localhost:8000"])
# A passkey is a second factor after the password, never a way in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "dangvien.accounts.passkeys.PasskeyHelper"
OTP_TOTP_ISSUER = "Phát triển đảng viên"
# Second factor (authenticator app, passkey or backup code) after the password for every
# user with an active role holding one of these capabilities, and for superusers and staff
# (OWASP ASVS 5.0 V6.3.2; issue 9). The capability set is a policy choice [U].
# settings_test switches it off for the suite (tests log in with force_login); the
# accounts tests switch it on again.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", True)
SECOND_FACTOR_CAPABILITIES = ["branch_moves", "endorse", "decide", "approve", "targets", "audit"]
BACKUP_CODE_COUNT = 10
# Sessions (OWASP ASVS 5.0 V7.3): SESSION_COOKIE_AGE above (8 h) is the absolute lifetime,
# counted from login; a session left idle SESSION_IDLE_TIMEOUT seconds ends too (30 min
# [U]: NIST SP 800-63B's inactivity limit for AAL2). The last-activity stamp is rewritten
# at most every SESSION_ACTIVITY_RESOLUTION seconds: one session write a minute, not one
# per request. SessionLifetimeMiddleware runs just before the second-factor gate.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ACTIVITY_RESOLUTION = 60
MIDDLEWARE.insert(
    MIDDLEWARE.index("dangvien.accounts.middleware.SecondFactorMiddleware"),
    "dangvien.accounts.middleware.SessionLifetimeMiddleware",
)
# Passwords (OWASP ASVS 5.0 V6.2, dangvien/accounts/validators.py): length only, no
# composition rules, never a breached or easily guessed password.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_MAX_LENGTH = 128
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangvien.accounts.validators.MinimumLengthValidator"},
    {"NAME": "dangvien.accounts.validators.MaximumLengthValidator"},
    {"NAME": "dangvien.accounts.validators.BreachedPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ["username", "display_name", "first_name", "last_name", "email"]
        },
    },
]
# The lockout page of django-axes (lockout settings above), in Vietnamese.
AXES_LOCKOUT_CALLABLE = "dangvien.accounts.views.locked_out"

# --- Content-Security-Policy and transport security (issue 9) ---
# Content-Security-Policy (django-csp 4, CSPMiddleware above): a page runs and styles only
# the site's own files; no inline script, style or event handler, no eval (OWASP ASVS 5.0
# V3.4.3; W3C CSP Level 3). Behaviour lives in static/js/app.js (data-confirm,
# data-check-all, data-print, data-autosubmit); core/tests/test_no_inline.py keeps the
# templates so. data: images: the QR code of the two-factor enrolment.
_PRODUCTION = ENVIRONMENT == "production"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Production is HTTPS only; a loopback run with DEBUG=0 (bench/load.sh) is not.
        "upgrade-insecure-requests": env_bool("CSP_UPGRADE_INSECURE_REQUESTS", _PRODUCTION),
        # Optional: where browsers post violation reports (a collector of the deployment).
        "report-uri": env_list("CSP_REPORT_URI", []) or None,
    }
}

# Transport (OWASP ASVS 5.0 V12.1–V12.2, V3.3–V3.4; Django's deployment checklist). TLS
# ends at the reverse proxy (docs/deploy.md), which must overwrite X-Forwarded-Proto on
# every request: SECURE_PROXY_SSL_HEADER names that header ("" = no proxy, direct TLS).
# A header the proxy does not set would let a client claim HTTPS [U: the proxy in use].
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if _PRODUCTION else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.strip().upper().replace("-", "_"), "https")
    if _PROXY_SSL_HEADER.strip()
    else None
)
# HSTS one year with subdomains. Preload stays off: joining the browsers' preload list
# binds the whole domain (and its other services) to HTTPS for months, a decision for the
# domain's owner [U]; W021 ("preload not set") is silenced for that reason only.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Cookies: Secure whenever DEBUG is off (SECURE_COOKIES=0 only for a plain-HTTP loopback
# run), never readable by scripts, not sent on cross-site subrequests (ASVS 5.0 V3.3).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads the cookie: pages carry the token
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (dangvien.core.headers.PermissionsPolicyMiddleware): browser
# features the app never uses are switched off for it and anything it might embed.
# Passkeys (publickey-credentials-*) keep their default, the site itself.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# --- Field encryption of personal data (core/crypto.py, issue 9) ---
# Citizen IDs and family background are encrypted at rest (AES-256-GCM) and citizen IDs
# found through a keyed HMAC index (Nghị định 13/2023/NĐ-CP Điều 26; OWASP ASVS 5.0 V11).
# FIELD_ENCRYPTION_KEYS="k2=<base64 32 bytes>,k1=<…>": the first encrypts, all decrypt;
# after adding a new first key run `manage.py rotate_field_keys`, then drop the old one.
# BLIND_INDEX_KEY=<base64 32 bytes>: changing it needs `rotate_field_keys --reindex`.
# New keys: python -c "from dangvien.core.crypto import new_key; print(new_key())".
# Keep both outside the code and the database (docs/deploy.md: secrets). With DEBUG on
# and none set, development keys are derived from SECRET_KEY; with DEBUG off, none set
# stops the start-up.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY", "")
from dangvien.core.crypto import check_configuration as _check_field_keys  # noqa: E402

_check_field_keys(
    debug=DEBUG, encryption_keys=FIELD_ENCRYPTION_KEYS, blind_index_key=BLIND_INDEX_KEY
)

# --- Audit and access logs: retention, hash chain (auditlog, issue 9) ---
# How long the audit trail of writes and the access log are kept; `manage.py purge_audit`
# deletes older sealed rows and keeps an anchor so the hash chain still verifies. [U] Ten
# years: no rule found names the logs of an information system. Luật Lưu trữ 2024
# (33/2024/QH15) and the Party's rules on keeping records set periods per kind of record
# (Party members' personnel records are kept for good); ten years covers several terms
# of the committees whose decisions the logs document. Ask the Party's archive office.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3650)
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 3650)
if min(AUDIT_RETENTION_DAYS, ACCESS_LOG_RETENTION_DAYS) < 1:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS and ACCESS_LOG_RETENTION_DAYS must be ≥ 1.")
# Rows chained per transaction by `manage.py seal_audit` (run every minute).
AUDIT_SEAL_BATCH = env_int("AUDIT_SEAL_BATCH", 5000)
# The auditor's lists count matching rows up to this many ("more than …" beyond: an exact
# count over tens of millions of rows takes seconds); exports stop at the second figure.
AUDIT_COUNT_CAP = env_int("AUDIT_COUNT_CAP", 10_000)
AUDIT_EXPORT_MAX_ROWS = env_int("AUDIT_EXPORT_MAX_ROWS", 100_000)

# --- Personal data: notice, consent, data-subject requests (privacy, issue 9) ---
# Listing a candidate records the person's consent to the current notice (Nghị định
# 13/2023/NĐ-CP Điều 11, 13). Whether the Party may process without consent under Điều 17
# is [U]; on by default, off only in settings_test.py (tests that are not about consent).
PERSONAL_DATA_CONSENT_REQUIRED = env_bool("PERSONAL_DATA_CONSENT_REQUIRED", True)
# Hours to answer a data-subject request: 72 for access, correction, deletion, restriction
# and objection (NĐ 13/2023 Điều 9 khoản 6, 8; Điều 14 khoản 3; Điều 15; Điều 16) [U];
# one value for every kind, overridden per kind in PERSONAL_DATA_REQUEST_HOURS_BY_KIND.
PERSONAL_DATA_REQUEST_HOURS = env_int("PERSONAL_DATA_REQUEST_HOURS", 72)
PERSONAL_DATA_REQUEST_HOURS_BY_KIND: dict[str, int] = {}

# --- Row-level security on PostgreSQL (rowsecurity, issue 9) ---
# Organisation scope is enforced by the queries and again by PostgreSQL policies on the
# personal-data tables (docs/row-level-security.md). The policies bind every role but the
# tables' owner: run the app as DB_APP_ROLE (granted by ``manage.py grant_app_role``),
# migrations and management commands as the owner. ROW_SECURITY_ENABLED=0 stops setting
# the per-request scope (only for a deployment that connects as the owner anyway).
DB_APP_ROLE = env_str("DB_APP_ROLE", "dangvien_app")
ROW_SECURITY_ENABLED = env_bool("ROW_SECURITY_ENABLED", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
