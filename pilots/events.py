"""Signals the registry sends for what other apps keep from it (monitoring's summary counts who is
expected in each period, by region, ownership, settlement and language). The registry imports no
other app: it announces, they listen.

A bulk write of organisations (the importer) sends no model signals, so it announces itself, inside
its transaction, after the write."""

from django.dispatch import Signal

# created: the new Organisation objects; changed: {organisation pk: {field name: value before the write}}
# for the organisations updated (their new values are in the database).
organisations_written = Signal()
