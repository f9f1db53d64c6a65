import pytest

from .factories import build_world


@pytest.fixture
def world(db, sales_manager, production_manager):
    return build_world(sales_manager, production_manager)
