"""Start-up errors are one readable line, not a traceback (config/startup.py)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.startup import StartupError, check_database_url, check_port_free, redact

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(databases=[])


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORT", "HOST")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def a_url_for(**changes: str) -> str:
    db = {**settings.DATABASES["default"], **changes}
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgresql://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgresql://{db['USER']}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:///db.sqlite3", "'sqlite' in 'sqlite:///db.sqlite3'"),
        ("postgress://me:s3cret@db.example/app", "'postgress' in 'postgress://me:***@db.example/app'"),
        ("127.0.0.1:5432/app", "'127.0.0.1:5432/app'"),
    ],
)
def test_a_database_url_that_is_not_postgresql_says_postgresql_is_required_and_what_was_given(url, shown):
    line = one_line(manage("check", DATABASE_URL=url))
    assert line.startswith("error: PostgreSQL is required, but DATABASE_URL gives ")
    assert shown in line
    assert "s3cret" not in line


def test_postgresql_urls_of_every_spelling_pass_the_check():
    for url in ("postgresql://u@h/db", "postgres://u:p@h:5433/db", "pgsql://u@h/db"):
        check_database_url(url)


def test_a_password_is_never_printed():
    assert redact("postgresql://me:pw@host:5432/db") == "postgresql://me:***@host:5432/db"
    assert redact("postgresql://me@host/db") == "postgresql://me@host/db"


def test_an_unreachable_server_is_one_line_naming_the_host_and_the_cause():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens there once the socket is closed
    line = one_line(
        manage("serve", "--no-seed", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/app", PORT="8498")
    )
    assert (
        line
        == f"error: cannot connect to PostgreSQL at 127.0.0.1:{port} (database 'app', user 'postgres'): Connection refused"
    )


def test_bad_credentials_are_one_line_naming_the_host_and_the_cause():
    line = one_line(manage("serve", "--no-seed", DATABASE_URL=a_url_for(USER="no_such_role"), PORT="8498"))
    assert line.startswith("error: cannot connect to PostgreSQL at ")
    assert "user 'no_such_role'" in line
    assert line.endswith('role "no_such_role" does not exist')


def test_a_taken_port_is_reported_with_the_port_hint_before_serving_is_announced():
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = manage("serve", "--no-seed", DATABASE_URL=a_url_for(), PORT=str(port))
    line = one_line(result)
    assert line == (
        f"error: port {port} on 127.0.0.1 is already in use (another server is running there). "
        f"Choose another port: PORT={port + 1} make run"
    )
    assert "serving on" not in result.stdout


def test_a_free_port_passes_and_a_bad_port_is_named():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check_port_free("127.0.0.1", port)
    with pytest.raises(StartupError, match="PORT must be a number, got 'http'"):
        check_port_free("127.0.0.1", "http")


def test_ctrl_c_stops_the_server_and_its_database_within_five_seconds():
    import shutil
    import signal
    import tempfile
    import time
    import urllib.request

    # not under pytest's tmp_path, which another pytest session may reset to 0700 under the postgres user's feet
    tmp_path = Path(tempfile.mkdtemp(prefix="embedded-pg-test-"))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "pg"), PORT=str(port))
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        # its own process group, as a terminal's foreground job is: Ctrl+C signals the whole group
        run = subprocess.Popen(
            [sys.executable, "-m", "config.embedded_pg", "run", "--", sys.executable, "manage.py", "serve"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert run.poll() is None, log.read_text()
                time.sleep(0.5)
        else:
            pytest.fail("the server did not answer: " + log.read_text())
        began = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=30)
        elapsed = time.monotonic() - began
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            subprocess.run([sys.executable, "-m", "config.embedded_pg", "stop"], env=env, cwd=BASE_DIR, check=False)
    output = log.read_text()
    stopped = not (tmp_path / "pg" / "postmaster.pid").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert elapsed < 5, output
    assert "SIGKILL" not in output and "Traceback" not in output, output
    assert stopped, "the database must be stopped too"
