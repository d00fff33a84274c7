import pytest
from django.core.management import call_command

from pilots.models import User


@pytest.fixture
def demo(db):
    """The whole demo: 100 organisations, a year of monitoring; users read English unless a test says otherwise."""
    call_command("load_demo", "--force")
    User.objects.update(language="en")


@pytest.fixture
def institute(demo):
    return User.objects.get(username="institute")


@pytest.fixture
def astana_coordinator(demo):
    return User.objects.get(username="region-kz-71")
