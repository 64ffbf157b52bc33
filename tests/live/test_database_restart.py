"""The listener survives a PostgreSQL restart: on a PostgreSQL of its own (a temporary embedded server), so the
suite's database is never stopped."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from config.serving import BASE_DIR, running_server
from tests.live.conftest import LOG_DIR, next_message, open_socket

CREATE_OPERATOR = """
from scheduling.models import User
from scheduling.services.auth import issue_token
user = User.objects.create_user(username="restart-op", password="x" * 12, role="operator")
print(user.id, issue_token(user))
"""


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def own_postgres():
    """A fresh embedded PostgreSQL in a temporary folder, migrated; yields (env, restart)."""
    # not pytest's tmp_path: another pytest run on the machine may prune those folders while this one runs
    base = Path(tempfile.mkdtemp(prefix="live-restart-"))
    base.chmod(0o755)  # run as root, the wheel's server runs as an unprivileged account that must reach it
    env = dict(os.environ, EMBEDDED_PG_DIR=str(base / "pg"))
    env.pop("DATABASE_URL", None)
    db = [sys.executable, "-m", "config.embedded_pg"]
    run([*db, "start"], env)
    try:
        env["DATABASE_URL"] = run([*db, "uri"], env)
        run([sys.executable, "manage.py", "migrate", "-v0"], env)

        def restart() -> None:
            run([*db, "stop"], env)
            run([*db, "start"], env)

        yield env, restart
    finally:
        run([*db, "stop"], env)
        shutil.rmtree(base, ignore_errors=True)


def test_after_a_postgresql_restart_the_socket_gets_fresh_initial_data_and_the_next_change(own_postgres):
    env, restart = own_postgres
    user_id, token = run([sys.executable, "manage.py", "shell", "-c", CREATE_OPERATOR], env).splitlines()[-1].split()
    server_env = {"DATABASE_URL": env["DATABASE_URL"], "EMBEDDED_PG_DIR": env["EMBEDDED_PG_DIR"]}
    with (
        running_server(env=server_env, workers=1, log_path=LOG_DIR / "live-restart.log") as port,
        open_socket(port, token) as ws,
    ):
        assert next_message(ws)["type"] == "initial_data"
        restart()
        # the listener connects again by itself and resends what may have been missed
        assert next_message(ws, timeout=10)["type"] == "initial_data"
        started = time.monotonic()
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(
                "INSERT INTO scheduling_notification (user_id, notification_type, message, is_read, created_at) "
                "VALUES (%s, 'system', 'back again', false, now())",
                [int(user_id)],
            )
        message = next_message(ws, timeout=1.0)
        assert message["type"] == "notification_created" and message["message"] == "back again"
        assert time.monotonic() - started < 1.0
