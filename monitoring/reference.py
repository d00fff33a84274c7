"""The monitoring catalogue from fixtures/monitoring.json: periods, sections, indicators and rules.

Loaded in every installation (`load_registry`); the demo submissions in monitoring.demo build on it."""

import json
from pathlib import Path

from django.conf import settings

from .models import Indicator, Period, Section, ValidationRule

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "monitoring.json"


def load_catalogue() -> None:
    """Periods, sections, indicators and rules from fixtures/; rows that exist are left as the Institute edited them."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    periods = {}
    for row in data["periods"]:
        periods[row["code"]], _ = Period.objects.get_or_create(
            code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
    sections = {}
    for position, row in enumerate(data["sections"], start=1):
        sections[row["code"]], _ = Section.objects.get_or_create(
            code=row["code"], defaults={**{k: v for k, v in row.items() if k != "code"}, "position": position}
        )
    for position, row in enumerate(data["indicators"], start=1):
        fields = {k: v for k, v in row.items() if k not in ("code", "section", "periods")}
        indicator, created = Indicator.objects.get_or_create(
            code=row["code"], defaults={**fields, "section": sections[row["section"]], "position": position}
        )
        if created:
            indicator.periods.set([periods[c] for c in row["periods"]])
    for row in data["rules"]:
        fields = {k: v for k, v in row.items() if k not in ("code", "periods")}
        rule, created = ValidationRule.objects.get_or_create(code=row["code"], defaults=fields)
        if created and row.get("periods"):
            rule.periods.set([periods[c] for c in row["periods"]])
