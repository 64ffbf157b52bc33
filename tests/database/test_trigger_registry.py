"""Every trigger of the project is declared with pgtrigger on the model it guards, so `pgtrigger ls` lists them
all: none is created by hand in sql_views/ or in a migration's RunSQL (bench/history_alternatives.py creates
throwaway ones inside a rolled-back measurement only)."""

import pgtrigger
from django.db import connection


def test_the_database_holds_exactly_the_triggers_pgtrigger_declares(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
            " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
        in_database = set(cursor.fetchall())
    declared = {(model._meta.db_table, trigger.get_pgid(model)) for model, trigger in pgtrigger.registered()}
    assert in_database - declared == set(), "triggers created outside pgtrigger: declare them on their model"
    assert declared - in_database == set(), "declared triggers missing from the database: run makemigrations"
    assert len(declared) > 50
