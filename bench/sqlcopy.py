"""INSERT ... SELECT copies of existing rows, built from the live column list so columns that other parts of
the project add later are carried along (generated columns are left to the database)."""

from __future__ import annotations


def table_columns(cursor, table: str) -> list[str]:
    cursor.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = %s AND is_generated = 'NEVER'
           ORDER BY ordinal_position""",
        [table],
    )
    return [r[0] for r in cursor.fetchall()]


def copy_sql(columns: list[str], table: str, overrides: dict[str, str], source: str, *, alias: str = "s") -> str:
    """`INSERT INTO table (cols) SELECT ... FROM source`; each column is `alias.col` unless overridden by an SQL
    expression; an override of None leaves the column out (its default applies, e.g. a fresh id)."""
    kept = [c for c in columns if not (c in overrides and overrides[c] is None)]
    exprs = [overrides.get(c, f'{alias}."{c}"') for c in kept]
    names = ", ".join(f'"{c}"' for c in kept)
    return f'INSERT INTO "{table}" ({names}) SELECT {", ".join(exprs)} FROM {source}'
