from __future__ import annotations

import pytest

from tests.extraction.kb import KB


@pytest.fixture
def kb():
    return KB
