"""SQL views as source files: one `<view_name>.sql` per view, each a `CREATE OR REPLACE VIEW` opening with a
comment that says what one row means and who reads it.

Migrations apply them with `create_view("name")`. To change a view: edit its file, then add a new migration
(`python manage.py makemigrations scheduling --empty -n <why>`) whose operations are `[create_view("name")]`
(drop-and-recreate dependants the same way if a column list changes). A `report_*` view is re-granted to the
reporting role (settings.REPORTING_ROLE, when it exists) each time it is created, so dropping and recreating one
never locks the analysts out. A fresh database replays every migration with the current file text, so a file must
always apply on top of the schema of its first migration.
"""

from pathlib import Path

from django.conf import settings
from django.db import migrations

from scheduling.services.reporting_role import grant_view_sql

SQL_DIR = Path(__file__).resolve().parent


def view_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def create_view(name: str, *, drop_first: bool = False) -> migrations.RunSQL:
    """A migration operation that (re)creates the view from its file; reversing drops it."""
    sql = view_sql(name)
    if drop_first:
        sql = f"DROP VIEW IF EXISTS {name} CASCADE;\n{sql}"
    if name.startswith("report_"):
        sql = f"{sql}\n{grant_view_sql(name, settings.REPORTING_ROLE)}"
    return migrations.RunSQL(sql, reverse_sql=f"DROP VIEW IF EXISTS {name} CASCADE;")
