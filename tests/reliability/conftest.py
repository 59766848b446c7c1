import pytest
from django.utils import translation

from tests.ledger.world import build_world


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def world(personas):
    return build_world(personas)
