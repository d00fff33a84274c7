"""The issuer's office and the basis of the order loaded before they were fields, and clause 3.1's
deadline, which the first fixture set to 10.01.2027 as if Q4 ended on 31 December: the quarterly
report on the last quarter is due on the 10th of the month after that quarter's end, as the
periods say (the Institute's Q4 ends on 20.11.2026, so 10.12.2026)."""

import datetime

from django.db import migrations

# As the order was signed (fixtures/order.json when this migration was written).
ORDER_TEXTS = {
    "issuer_kk": "Қазақстан Республикасы Оқу-ағарту министрінің міндетін атқарушы",
    "issuer_ru": "исполняющий обязанности Министра просвещения Республики Казахстан",
    "issuer_en": "Acting Minister of Enlightenment of the Republic of Kazakhstan",
    "basis_kk": "Мемлекет басшысы Қасым-Жомарт Тоқаевтың 2025 жылғы 15 тамыздағы мұғалімдердің республикалық тамыз конференциясының қорытындысы бойынша еңбекқорлық идеясын іске асыруға баса назар аудара отырып, білім беру ұйымдарында тәрбие жұмысын жандандыру бойынша берген хаттамалық тапсырманың 1.5-тармағы",
    "basis_ru": "пункт 1.5 протокольного поручения Главы государства Касым-Жомарта Токаева по итогам республиканской августовской конференции учителей 15 августа 2025 года об активизации воспитательной работы в организациях образования с упором на реализацию идеи трудолюбия",
    "basis_en": "item 1.5 of the protocol instruction of the Head of State Kassym-Jomart Tokayev following the national August teachers' conference of 15 August 2025, on reviving educational work in educational organisations with emphasis on the idea of diligence",
}

OLD_MONITORING_DEADLINE = datetime.date(2027, 1, 10)


def _report_due_on(ends_on: datetime.date) -> datetime.date:
    first_next = (ends_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_next.replace(day=10)


def forwards(apps, schema_editor):
    Order = apps.get_model("pilots", "Order")
    Clause = apps.get_model("pilots", "Clause")
    Period = apps.get_model("monitoring", "Period")
    for order in Order.objects.all():
        blank = {field: text for field, text in ORDER_TEXTS.items() if not getattr(order, field)}
        if blank:
            Order.objects.filter(pk=order.pk).update(**blank)
    last = Period.objects.order_by("-ends_on").first()
    if last is not None:
        Clause.objects.filter(kind="monitoring", due_on=OLD_MONITORING_DEADLINE).update(
            due_on=_report_due_on(last.ends_on)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_transition_labels"),
        ("pilots", "0005_order_issuer_basis"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
