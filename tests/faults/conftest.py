"""The throwaway servers of the fault tests: started once per test module, stopped after it."""

from __future__ import annotations

import pytest

from .services import Postgres, Redis, missing_binaries


@pytest.fixture(scope="module")
def redis_server():
    if reason := missing_binaries():
        pytest.skip(reason)
    server = Redis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_server():
    if reason := missing_binaries():
        pytest.skip(reason)
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()
