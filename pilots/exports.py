"""The organisations list as a workbook: the rows the page lists, with the page's filters, every page at once."""

from django.utils.translation import gettext as _

from pilot_portal.xlsx_cells import INTEGER
from pilot_portal.xlsx_table import CHUNK, DATE, Sheet

from .models import Organisation


def organisations_sheet(organisations) -> Sheet:
    """`organisations`: the page's queryset (scoped and filtered, region joined), read a chunk at a time."""
    headers = [
        (_("Organisation"), 48, None),
        (_("BIN"), 14, None),
        (_("Region"), 24, None),
        (_("District or city"), 24, None),
        (_("Ownership"), 14, None),
        (_("Settlement"), 12, None),
        (_("Language"), 16, None),
        (_("Groups"), 10, INTEGER),
        (_("Children"), 10, INTEGER),
        (_("Director"), 30, None),
        (_("Phone"), 18, None),
        (_("E-mail"), 26, None),
        (_("In the pilot from"), 14, DATE),
        (_("In the pilot until"), 14, DATE),
    ]
    # Each choice worded once, not once per row: get_FOO_display() translates on every call.
    ownership = {value: str(label) for value, label in Organisation.Ownership.choices}
    settlement = {value: str(label) for value, label in Organisation.Settlement.choices}
    language = {value: str(label) for value, label in Organisation.Language.choices}

    def rows():
        for o in organisations.iterator(chunk_size=CHUNK):
            yield [
                o.name,
                o.bin,
                o.region.name,
                o.district,
                ownership.get(o.ownership, o.ownership),
                settlement.get(o.settlement, o.settlement),
                language.get(o.language, o.language),
                o.groups,
                o.children,
                o.director,
                o.phone,
                o.email,
                o.in_pilot_from,
                o.in_pilot_until,
            ]

    return Sheet(_("Organisations"), headers, rows())
