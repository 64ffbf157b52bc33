"""Root conftest: with no DATABASE_URL the test run starts the embedded PostgreSQL and always stops it."""

import os
import signal
from pathlib import Path

import pytest

from config import embedded_pg

_started_here = False
_lock = None


def pytest_configure(config):
    global _started_here, _lock
    # WhiteNoise warns at every middleware load when collectstatic has not run yet (a fresh clone); the tests
    # serve no static files, the live and browser tests run collectstatic themselves
    (Path(__file__).resolve().parent / "staticfiles").mkdir(exist_ok=True)
    if not os.environ.get("DATABASE_URL") and not hasattr(config, "workerinput"):
        # refuse (one line) when a `make run` owns this folder's server: it would stop it under our feet
        try:
            _lock = embedded_pg.claim("pytest")
        except embedded_pg.InUse as exc:
            pytest.exit(str(exc.code), returncode=2)
        _started_here = embedded_pg.start(quiet=True)
        # SIGTERM/SIGHUP end the run like Ctrl+C does, so pytest_unconfigure still stops the server.
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.default_int_handler)


def pytest_unconfigure(config):
    if _started_here:
        embedded_pg.stop(quiet=True)


def pytest_ignore_collect(collection_path, config):
    # tests/live/ starts real servers (and a PostgreSQL of its own): `make live` runs it, `make test` stays fast
    if collection_path.name == "live" and collection_path.parent.name == "tests":
        return not any("tests/live" in str(arg) for arg in config.args)
    return None
