import pytest

from pilots.models import User

# `demo` (the whole demo, users reading English) comes from the conftest at the root.


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
