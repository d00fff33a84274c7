"""The database's rows, taken once and put back in a test's own transaction in a fraction of a second.

`load_demo` costs seconds and many tests need the whole demo; `demo_rows` loads it once per test process
(each xdist worker has its own database), keeps a copy of every table and the files it made, and puts the
database back as it found it. `put_back` then gives a test exactly the database `load_demo` left.

The copies are tables of the same database (`keep`): the database copies them back itself, which costs
half what sending the same rows from Python does (`dump` and `restore`), and 200 tests do it."""

import shutil
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# Tables that migrate fills and nothing else writes.
MIGRATED = {"django_migrations"}
# A kept copy's name begins so; no model's table does (an app's label and an underscore begin those).
COPY = "snapshot__"

Rows = dict[str, tuple[list[str], list[tuple]]]


def _tables() -> list[str]:
    names = sorted(connection.introspection.table_names())
    return [name for name in names if name not in MIGRATED and not name.startswith(COPY)]


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
        _reset_sequences(cursor)
    ContentType.objects.clear_cache()


def keep(name: str) -> list[str]:
    """A copy of every table, named `snapshot__<name>_<table>`, committed; returns the tables copied.
    Flushing the database (as a transactional test does after itself) leaves the copies alone."""
    quote = connection.ops.quote_name
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            copy = quote(f"{COPY}{name}_{table}")
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {quote(table)}")
    return tables


def put_back(name: str, tables: list[str]) -> None:
    """Every table emptied and filled from its copy `keep(name)` made, as `restore` does from rows."""
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table in tables:
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(f'{COPY}{name}_{table}')}")
        _reset_sequences(cursor)
    ContentType.objects.clear_cache()


def _reset_sequences(cursor) -> None:
    models = apps.get_models(include_auto_created=True)
    for statement in connection.ops.sequence_reset_sql(no_style(), models):
        cursor.execute(statement)


def copy_files(source: Path, target: Path) -> None:
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)
