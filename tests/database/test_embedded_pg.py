"""The embedded PostgreSQL: starting twice is harmless, stopping leaves no process, `run` always stops it."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.django_db(databases=[])


def servers_in(data_dir) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir) in cmdline:
            found.append(proc)
    return found


@pytest.fixture
def data_dir():
    # Not under pytest's tmp_path: the server runs as an unprivileged user, and any pytest session started on the
    # machine meanwhile resets /tmp/pytest-of-<user> to mode 0700, which cut initdb off mid-way (flaky runs).
    parent = Path(tempfile.mkdtemp(prefix="embedded-pg-test-"))
    path = parent / "pg"
    yield path
    subprocess.run([sys.executable, "-m", "config.embedded_pg", "stop"], env=env_for(path), check=False)
    shutil.rmtree(parent, ignore_errors=True)


def env_for(path) -> dict:
    env = dict(os.environ, EMBEDDED_PG_DIR=str(path))
    env.pop("DATABASE_URL", None)
    return env


def pg(path, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "config.embedded_pg", *args],
        env=env_for(path),
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_starting_twice_is_harmless_and_stop_leaves_no_process(data_dir):
    first = pg(data_dir, "start")
    assert first.returncode == 0, first.stderr
    pid = servers_in(data_dir)[0].pid
    second = pg(data_dir, "start")
    assert second.returncode == 0, second.stderr
    assert [p.pid for p in servers_in(data_dir)] == [pid]
    assert pg(data_dir, "status").returncode == 0
    assert pg(data_dir, "stop").returncode == 0
    assert servers_in(data_dir) == []
    assert pg(data_dir, "status").returncode == 3


def test_run_stops_the_server_when_the_command_ends(data_dir):
    code = "import os, psycopg; psycopg.connect(os.environ['DATABASE_URL']).execute('select 1')"
    result = pg(data_dir, "run", "--", sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert servers_in(data_dir) == []


@pytest.mark.parametrize("delay", [0.0, 0.5])
def test_run_stops_the_server_when_killed_by_sigterm(data_dir, delay):
    proc = subprocess.Popen(
        [sys.executable, "-m", "config.embedded_pg", "run", "--", "sleep", "60"], env=env_for(data_dir)
    )
    deadline = time.time() + 60
    while not servers_in(data_dir) and time.time() < deadline:
        time.sleep(0.2)
    assert servers_in(data_dir), "server did not start"
    time.sleep(delay)  # 0: the signal lands while the server is still starting
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert servers_in(data_dir) == []


def test_a_second_run_in_the_same_folder_is_refused_and_the_first_keeps_its_server(data_dir):
    first = subprocess.Popen(
        [sys.executable, "-m", "config.embedded_pg", "run", "--", "sleep", "60"], env=env_for(data_dir)
    )
    try:
        deadline = time.time() + 60
        while not servers_in(data_dir) and time.time() < deadline:
            time.sleep(0.2)
        assert servers_in(data_dir), "server did not start"
        second = pg(data_dir, "run", "--", sys.executable, "-c", "print('borrowed')")
        assert second.returncode == 1
        assert "borrowed" not in second.stdout
        assert second.stderr.count("\n") == 1, second.stderr
        assert "already owned by pid" in second.stderr and "EMBEDDED_PG_DIR" in second.stderr
        assert servers_in(data_dir), "the first run's server must keep running"
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    assert servers_in(data_dir) == []


def test_a_run_after_the_first_one_ended_takes_the_folder_over(data_dir):
    assert pg(data_dir, "run", "--", "true").returncode == 0
    assert pg(data_dir, "run", "--", "true").returncode == 0
