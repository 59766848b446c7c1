import pytest
from django.utils import translation

from tests.performance.world import build_facts


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def facts(personas):
    return build_facts(personas)
