"""A host's BM25 cache follows a shared catalog: at once after a quiet spell, at most every
``FOLLOW_PAUSE_FACTOR`` rebuild-times while another host writes, and always for ``check``."""

from __future__ import annotations

import pytest

from assistant.index.factory import open_index
from tests.conftest import use_postgres
from tests.index.conftest import EN_CLIMATE, EN_SCHOOLS, ZH_MEETING, make_document


@pytest.fixture
def two_hosts(tmp_path, settings_for, postgres_server, use_embedder):
    dsn = postgres_server.create_database()
    a = open_index(use_postgres(settings_for(tmp_path / "a"), dsn), use_embedder)
    b = open_index(use_postgres(settings_for(tmp_path / "b"), dsn), use_embedder)
    yield a, b
    a.close()
    b.close()


def test_another_hosts_write_is_followed_then_rebuilds_pause(two_hosts):
    a, b = two_hosts
    a.add_document(*make_document("en/climate.txt", "en", [EN_CLIMATE]))
    b.follow_pause_floor_s = 3600.0  # the pause after this rebuild outlasts the test
    assert b.refresh() and b.lexical.ids() == a.catalog.chunk_ids()
    assert not b.refresh()  # nothing new

    a.add_document(*make_document("en/schools.txt", "en", [EN_SCHOOLS]))
    assert not b.refresh()  # within the pause: the cache stays as it is
    assert len(b.lexical) == 1 and len(b.documents()) == 2  # the catalog itself is live

    found = b.check()  # check always follows
    assert found.lexical_chunks == 2 and not found.missing_lexical
    b.follow_pause_floor_s = 0.0
    b._next_follow = 0.0  # as if the pause had passed
    a.delete_document("en/climate.txt")
    assert b.refresh() and len(b.lexical) == 1


def test_a_quiet_host_follows_the_next_write_at_once(two_hosts):
    a, b = two_hosts
    a.add_document(*make_document("zh/meeting.txt", "zh", [ZH_MEETING]))
    assert b.refresh()
    b._next_follow = 0.0  # the pause after that rebuild has passed
    a.add_document(*make_document("en/climate.txt", "en", [EN_CLIMATE]))
    assert b.refresh() and len(b.lexical) == 2
    assert b.fingerprint == a.fingerprint
