"""The website chat's test fixtures: the Management API a socket is pushed through."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.sockets import Sockets, management_api


@pytest.fixture
def sockets() -> Iterator[Sockets]:
    with management_api() as api:
        os.environ["SAPA_WEBCHAT_PUSH_URL"] = api.url
        yield api
