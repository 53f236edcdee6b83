"""The real servers, started once per test session and emptied before each test that uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.servers.harness import (
    TTRSS,
    Coldsweat,
    FeedFarm,
    TTRSSBusyError,
    coldsweat_missing,
    ttrss_missing,
    ttrss_session,
)

Server = Coldsweat | TTRSS


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedFarm]:
    farm = FeedFarm(tmp_path_factory.mktemp("farm"))
    yield farm
    farm.close()


@pytest.fixture(scope="session")
def coldsweat_server(farm: FeedFarm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coldsweat]:
    why = coldsweat_missing()
    if why:
        pytest.skip(why)
    server = Coldsweat(tmp_path_factory.mktemp("coldsweat"), farm)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ttrss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TTRSS]:
    why = ttrss_missing()
    if why:
        pytest.skip(why)
    try:
        with ttrss_session(tmp_path_factory.mktemp("ttrss")) as server:
            yield server
    except TTRSSBusyError as exc:
        pytest.skip(str(exc))


@pytest.fixture(
    params=[
        pytest.param("fever", marks=[pytest.mark.xdist_group("coldsweat"), pytest.mark.slow]),
        pytest.param("ttrss", marks=[pytest.mark.xdist_group("ttrss"), pytest.mark.slow]),
    ]
)
def server(request: pytest.FixtureRequest) -> Server:
    """Each real server in turn, running (a test may have stopped it) and empty. Every test on a real
    server is ``slow`` (``make test-slow``): starting and emptying the servers is most of their cost."""
    srv: Server = request.getfixturevalue("coldsweat_server" if request.param == "fever" else "ttrss_server")
    srv.start()
    srv.reset()
    return srv


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    return tmp_path / "password"
