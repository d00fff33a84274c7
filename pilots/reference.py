"""The pilot's reference data from fixtures/: the order with its clauses, the regions, the algorithm.

Loaded in every installation (`load_registry`); the demo generators in pilots.demo build on it."""

import json
from pathlib import Path

from django.conf import settings

from .models import Activity, Clause, Order, Region, Stage

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

ADDED_LATER = ("issuer_", "basis_")


def read_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_order() -> Order:
    data = read_fixture("order.json")
    fields = {k: v for k, v in data["order"].items() if k != "signed_on"}
    # get_or_create throughout: a second run adds what is missing and keeps what the Institute edited in the admin.
    order, _ = Order.objects.get_or_create(signed_on=data["order"]["signed_on"], defaults=fields)
    # Fields added after the order was first loaded are filled where still blank.
    blank = {k: v for k, v in fields.items() if k.startswith(ADDED_LATER) and not getattr(order, k)}
    if blank:
        Order.objects.filter(pk=order.pk).update(**blank)
    for position, clause in enumerate(data["clauses"], start=1):
        defaults = {k: v for k, v in clause.items() if k != "number"}
        Clause.objects.get_or_create(order=order, number=clause["number"], defaults={**defaults, "position": position})
    order.refresh_from_db()  # dates were given as ISO strings
    return order


def load_regions() -> dict[str, Region]:
    regions = {}
    for row in read_fixture("regions.json"):
        fields = {k: v for k, v in row.items() if k not in ("code", "districts")}
        regions[row["code"]], _ = Region.objects.get_or_create(code=row["code"], defaults=fields)
    return regions


def load_algorithm() -> None:
    for stage_row in read_fixture("algorithm.json"):
        fields = {k: v for k, v in stage_row.items() if k not in ("position", "activities")}
        stage, _ = Stage.objects.get_or_create(position=stage_row["position"], defaults=fields)
        for position, activity in enumerate(stage_row["activities"], start=1):
            defaults = {k: v for k, v in activity.items() if k != "code"}
            Activity.objects.get_or_create(
                code=activity["code"], defaults={**defaults, "stage": stage, "position": position}
            )
