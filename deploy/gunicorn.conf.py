"""gunicorn settings for dangvien (docs/deploy.md "Application servers").

    gunicorn -c deploy/gunicorn.conf.py dangvien.wsgi

Every value can be changed by an environment variable of the same name in capitals
prefixed GUNICORN_ (GUNICORN_WORKERS=9), so the systemd unit and bench/load.sh share this
file. nginx sits in front on the same host (buffers slow clients, serves /static/, ends
TLS): gunicorn listens on loopback or a unix socket only.
"""

import multiprocessing
import os


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GUNICORN_{name}", default)


bind = _env("BIND", "127.0.0.1:8001")

# Django's views are synchronous and mostly wait on PostgreSQL: processes, 2 per core + 1.
# GUNICORN_THREADS > 1 switches to the threaded worker (fewer processes, less memory; each
# thread keeps its own database connection, count them against pgbouncer's pool).
workers = int(_env("WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(_env("THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# Long work (imports, dossiers of many candidates) runs in the background worker
# (manage.py db_worker); a request that takes a minute is a bug, not a load.
timeout = int(_env("TIMEOUT", "60"))
graceful_timeout = int(_env("GRACEFUL_TIMEOUT", "30"))
keepalive = int(_env("KEEPALIVE", "5"))

# Recycle each worker after a few thousand requests: bounds the growth of any leak.
max_requests = int(_env("MAX_REQUESTS", "5000"))
max_requests_jitter = int(_env("MAX_REQUESTS_JITTER", "500"))

# Load Django once, then fork: the workers share the code pages. Django opens database
# connections lazily, in each worker, so none is shared across the fork.
preload_app = _env("PRELOAD", "1") == "1"


def when_ready(server: object) -> None:
    """With preload_app, import every URL module (views, the API and its schemas) in the
    master before the workers fork: otherwise each worker does it on its first request,
    which takes seconds on a busy machine and can pass the timeout."""
    if preload_app:
        from django.db import connections
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (the import is the point)
        connections.close_all()  # no connection opened here may be shared by the workers


# nginx on this host sets X-Forwarded-Proto; only it is believed (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = _env("WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")

proc_name = "dangvien"
# gunicorn's control socket (recent gunicorn versions) would go to $HOME/.gunicorn, which is the
# read-only code folder for the service user: off unless a path is given.
control_socket_disable = not _env("CONTROL_SOCKET", "")
if not control_socket_disable:
    control_socket = _env("CONTROL_SOCKET", "")
accesslog = _env("ACCESSLOG", "-")
errorlog = _env("ERRORLOG", "-")
loglevel = _env("LOGLEVEL", "info")
# Time taken in milliseconds (%(M)s) for the slow-page hunt. The path only (%(U)s), not
# the query string: a search ``?q=`` holds people's names (personal data, NĐ 13/2023).
access_log_format = _env("ACCESS_LOG_FORMAT", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')
