"""Which Huey a queue URL makes. Nothing connects here: Huey opens its connections on first use."""

from __future__ import annotations

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from app.intake.queue import make_huey


def test_a_redis_url_makes_a_redis_queue_on_that_server_and_database():
    huey = make_huey("redis://cache.internal:6380/3")
    assert isinstance(huey, RedisHuey)
    options = huey.storage.pool.connection_kwargs
    assert (options["host"], options["port"], options["db"]) == ("cache.internal", 6380, 3)


def test_a_unix_socket_url_makes_a_redis_queue_on_that_socket():
    huey = make_huey("unix:///run/redis/redis.sock?db=2")
    assert isinstance(huey, RedisHuey)
    options = huey.storage.pool.connection_kwargs
    assert (options["path"], options["db"]) == ("/run/redis/redis.sock", 2)


def test_sqlite_and_memory_urls_make_their_queues(tmp_path):
    assert isinstance(make_huey(f"sqlite:///{tmp_path / 'queue.db'}"), SqliteHuey)
    assert isinstance(make_huey("memory://"), MemoryHuey)


def test_an_unknown_scheme_is_refused_with_the_ones_that_work():
    with pytest.raises(ValueError, match="unix://"):
        make_huey("amqp://broker/")
