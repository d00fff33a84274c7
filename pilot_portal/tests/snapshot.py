"""The database's rows as data: taken once, put back in a test's own transaction in a fraction of a second.

`load_demo` costs seconds and many tests need the whole demo; `demo_rows` loads it once per test process
(each xdist worker has its own database), keeps every table's rows and the files it made, and puts the
database back as it found it. `restore` then gives a test exactly the database `load_demo` left."""

import shutil
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# Tables that migrate fills and nothing else writes.
KEPT = {"django_migrations"}

Rows = dict[str, tuple[list[str], list[tuple]]]


def _tables() -> list[str]:
    return [name for name in sorted(connection.introspection.table_names()) if name not in KEPT]


def dump() -> Rows:
    """Every table's columns and rows."""
    quote = connection.ops.quote_name
    rows: Rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    return rows


def restore(rows: Rows) -> None:
    """Empty every table and fill it with `rows` (the foreign keys are checked at commit, as Django makes
    them); sequences continue after the highest key, as after any insert."""
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    # One transaction, so the foreign keys are checked once every table is back: a live-server test runs
    # in autocommit, where each statement would be checked on its own.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table, (columns, values) in rows.items():
            if values:
                names = ", ".join(quote(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


def copy_files(source: Path, target: Path) -> None:
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
