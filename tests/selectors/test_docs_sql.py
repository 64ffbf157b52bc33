"""Every ```sql example of docs/reports.md and the README runs against the demo data (they are meant to be
pasted into `make db-shell`)."""

import re
from pathlib import Path

import pytest
from django.db import connection

from scheduling.demo import Seeder

BASE_DIR = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
EXAMPLES = [
    pytest.param(sql, id=f"{doc}#{n}")
    for doc in ("docs/reports.md", "README.md")
    for n, sql in enumerate(BLOCK.findall((BASE_DIR / doc).read_text()), start=1)
]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        Seeder("small", progress=False).run()
    yield
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("sql", EXAMPLES)
def test_the_documented_query_runs_on_the_demo_data(demo_data, db, sql):
    with connection.cursor() as cursor:
        code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        statements = [s for s in code.split(";") if s.strip()]
        assert statements
        for statement in statements:
            cursor.execute(statement)
