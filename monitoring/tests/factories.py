import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from monitoring.models import Indicator, Period, Section, Status, Submission, ValidationRule, Value
from pilots.tests.factories import OrganisationFactory


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("code",)

    code = "2026-Q3"
    year = 2026
    quarter = 3
    starts_on = datetime.date(2026, 7, 1)
    ends_on = datetime.date(2026, 9, 30)
    due_on = datetime.date(2026, 10, 5)
    review_due_on = datetime.date(2026, 10, 10)


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("code",)

    code = "coverage"
    name_kk = "Қамту"
    name_ru = "Охват"
    name_en = "Coverage"


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"indicator_{n}")
    section = factory.SubFactory(SectionFactory)
    name_kk = factory.LazyAttribute(lambda o: f"{o.code} (kk)")
    name_ru = factory.LazyAttribute(lambda o: f"{o.code} (ru)")
    name_en = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    type = Indicator.Type.INTEGER
    min_value = Decimal(0)
    max_value = Decimal(10000)

    @factory.post_generation
    def periods(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.periods.set(extracted)


class RuleFactory(DjangoModelFactory):
    class Meta:
        model = ValidationRule

    code = factory.Sequence(lambda n: f"rule-{n}")
    kind = ValidationRule.Kind.NOT_GREATER
    message_kk = "Ереже бұзылды"
    message_ru = "Правило нарушено"
    message_en = "The rule is broken"


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    organisation = factory.SubFactory(OrganisationFactory)
    period = factory.SubFactory(PeriodFactory)
    status = Status.DRAFT


class ValueFactory(DjangoModelFactory):
    class Meta:
        model = Value

    submission = factory.SubFactory(SubmissionFactory)
    indicator = factory.SubFactory(IndicatorFactory)
