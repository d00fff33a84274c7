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


@pytest.fixture(scope="session")
def keys(tmp_path_factory):
    """The test keys (signing_keys.py), made once per run."""
    from .signing_keys import make_keys

    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def expired_p12(keys):
    """(path, passphrase) of a key whose certificate expired on 09.03.2025."""
    from .signing_keys import PASSPHRASE

    return str(keys["expired"].path), PASSPHRASE
