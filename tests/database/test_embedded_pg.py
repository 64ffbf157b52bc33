"""The embedded PostgreSQL: starting twice is harmless, stopping leaves no process, `run` always stops it."""

import os
import signal
import subprocess
import sys
import time

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
def data_dir(tmp_path):
    path = tmp_path / "pg"
    yield path
    subprocess.run([sys.executable, "-m", "config.embedded_pg", "stop"], env=env_for(path), check=False)


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
