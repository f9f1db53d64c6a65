import pytest

from .factories import DraftFactory, build_world


@pytest.fixture
def world(db, sales_manager, production_manager):
    return build_world(sales_manager, production_manager)


@pytest.fixture
def draft(sales_manager):
    """An empty draft of the Sales manager's."""
    return DraftFactory(author=sales_manager)
