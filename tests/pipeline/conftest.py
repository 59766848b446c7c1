import pytest
from django.utils import translation

from tests.pipeline.world import make_pipeline


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def pipeline(personas):
    return make_pipeline(personas["admin"])
