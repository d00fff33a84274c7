import datetime

import factory
from factory.django import DjangoModelFactory

from pilots.bin import valid_bin_from
from pilots.models import Activity, ActivityProgress, Organisation, Region, Stage, User


def _valid_bin(n: int) -> str:
    return valid_bin_from(f"2001405{n:04d}"[-11:].rjust(11, "0"))


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-{n:03d}")  # never an ISO code, and fits the 5-character column
    name_kk = factory.LazyAttribute(lambda o: f"{o.code} облысы")
    name_ru = factory.LazyAttribute(lambda o: f"{o.code} область")
    name_en = factory.LazyAttribute(lambda o: f"{o.code} Region")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    bin = factory.Sequence(lambda n: _valid_bin(1000 + n * 3))
    name_kk = factory.Sequence(lambda n: f"№{n} «Балапан» бөбекжай-бақшасы")
    name_ru = factory.Sequence(lambda n: f"Ясли-сад №{n} «Балапан»")
    region = factory.SubFactory(RegionFactory)
    district_kk = "Есіл ауданы"
    district_ru = "район Есиль"
    groups = 4
    children = 90
    director = "Ахметова Гүлнар"
    in_pilot_from = datetime.date(2026, 1, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.MINISTRY
    # Tests read pages in English unless they choose a language; the product's default stays Kazakh.
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pass-2026-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    role = User.Role.ORGANISATION
    organisation = factory.SubFactory(OrganisationFactory)


class CoordinatorFactory(UserFactory):
    role = User.Role.REGION
    region = factory.SubFactory(RegionFactory)


class InstituteFactory(UserFactory):
    role = User.Role.INSTITUTE


class MinistryFactory(UserFactory):
    role = User.Role.MINISTRY


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage

    position = factory.Sequence(lambda n: n + 1)
    name_kk = factory.Sequence(lambda n: f"{n}-кезең")
    name_ru = factory.Sequence(lambda n: f"Этап {n}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 1, 31)


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    stage = factory.SubFactory(StageFactory)
    code = factory.Sequence(lambda n: f"activity-{n}")
    position = factory.Sequence(lambda n: n)
    name_kk = factory.Sequence(lambda n: f"{n}-іс-шара")
    name_ru = factory.Sequence(lambda n: f"Мероприятие {n}")


class ActivityProgressFactory(DjangoModelFactory):
    class Meta:
        model = ActivityProgress

    organisation = factory.SubFactory(OrganisationFactory)
    activity = factory.SubFactory(ActivityFactory)
    done = True
    done_on = datetime.date(2026, 1, 20)
