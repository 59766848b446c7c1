from tests.plans.conftest import decomposed, plan  # noqa: F401 - shared plan fixtures
