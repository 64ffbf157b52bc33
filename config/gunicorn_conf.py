"""gunicorn gthread settings: the serving arrangement before the live channel, kept as the benchmark's baseline
(`make bench` compares the production server, config/serving.py, with it; README "Serving"). gunicorn is a dev
dependency now: it serves no WebSocket and a slow client holds one of its threads.

Every knob is an environment variable. The defaults come from the benchmark on a 2-core machine (README):
gthread workers keep HTTP/1.1 connections alive (the sync worker closes each one), one worker per core keeps
the CPU-bound Python from fighting itself, and a few threads per worker overlap the time spent waiting on
PostgreSQL. Each thread holds its own persistent database connection (DB_CONN_MAX_AGE).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# the cores this process may use (a container's limit, not the host's count)
workers = int(os.environ.get("WEB_WORKERS") or len(os.sched_getaffinity(0)))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))  # seconds an idle keep-alive connection stays open
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 5
preload_app = True  # Django is imported once in the master; workers fork ready (no connection is opened at import)
backlog = 2048
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")


def worker_int(worker) -> None:
    """Ctrl+C (SIGINT) and SIGQUIT are gunicorn's quick shutdown: the worker leaves at once. Its default,
    sys.exit() from inside the signal handler, runs the interpreter's exit (joining the request threads) from
    wherever the main thread was interrupted; when that hangs past graceful_timeout the master SIGKILLs the
    worker and logs "Perhaps out of memory?"."""
    os._exit(0)
