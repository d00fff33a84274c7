"""The `demo` fixture gives a test the database `load_demo --force` leaves, without running it each time."""

import pytest
from django.core.management import call_command

from pilot_portal.tests import snapshot
from pilots.models import Organisation, User

pytestmark = pytest.mark.django_db


def _counts(rows: snapshot.Rows) -> dict[str, int]:
    return {table: len(values) for table, (_columns, values) in rows.items()}


def test_the_restored_demo_has_the_rows_of_a_loaded_demo(demo_rows):
    assert not Organisation.objects.exists()  # the snapshot left the database as it found it
    call_command("load_demo", "--force")
    languages = sorted(User.objects.values_list("username", "language"))
    assert "en" not in {language for _username, language in languages}  # as load_demo left them, not the fixture's
    loaded = snapshot.dump()
    assert Organisation.objects.count() == 100
    snapshot.restore({table: (columns, []) for table, (columns, _values) in loaded.items()})
    assert not Organisation.objects.exists()  # the positive control: what is there is replaced
    snapshot.put_back(demo_rows["name"], demo_rows["tables"])
    assert _counts(snapshot.dump()) == _counts(loaded)
    assert sorted(User.objects.values_list("username", "language")) == languages


def test_the_demo_fixtures_users_read_english(demo):
    assert set(User.objects.values_list("language", flat=True)) == {"en"}


def test_two_tests_each_get_the_whole_demo_and_may_change_it(demo):
    assert Organisation.objects.filter(is_demo=True).count() == 100
    Organisation.objects.update(is_demo=False)
    assert not Organisation.objects.filter(is_demo=True).exists()


def test_two_tests_each_get_the_whole_demo_and_may_change_it_again(demo):
    assert Organisation.objects.filter(is_demo=True).count() == 100
