"""State shared by every process through one real Redis: vendor budgets, NexivoHR's daily
quota, the inbound apply limit and the page cache; and what still works while Redis is down."""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.ats.base import RetryableError
from app.ats.cache import SharedLookups, TtlCache
from app.ats.nexivohr import DailyQuota
from app.ats.ratelimit import SharedWindow
from app.extensions import cache_backend, db
from app.intake.queue import make_huey
from app.intake.tasks import sweep_once
from app.models import Application, Delivery, Job
from app.shared import StoreDown, counter_storage
from tests.conftest import add_job, app_config
from tests.support.engines import redis_missing, redis_server
from tests.web.helpers import open_form, post_application, valid_answers


@pytest.fixture(scope="session")
def redis():
    missing = redis_missing()
    if missing:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(missing)
        pytest.skip(missing)
    with redis_server() as server:
        yield server


def window_on(url: str, target: str, limit: int) -> SharedWindow:
    """A limiter with its own Redis connections, as another process would build it."""
    storage = counter_storage({"REDIS_URL": url})
    assert storage is not None
    return SharedWindow(storage, target, limit, 1.0, margin=0.0)


def grant_times(url: str, target: str, count: int, start_at: float, out) -> None:
    limiter = window_on(url, target, 5)
    time.sleep(max(start_at - time.time(), 0))
    granted = []
    for _ in range(count):
        limiter.acquire()
        granted.append(time.time())
    out.put(granted)


def test_two_processes_sharing_one_budget_in_redis_never_exceed_it_together(redis):
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    start_at = time.time() + 0.5
    workers = [
        fork.Process(target=grant_times, args=(redis.url, "skailer:two-processes", 8, start_at, out))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    times = sorted(out.get(timeout=30) + out.get(timeout=30))
    for worker in workers:
        worker.join(10)
    assert len(times) == 16
    # 5 a second: any 6 grants in a row span at least the window (less the time to note one).
    assert min(later - earlier for earlier, later in zip(times, times[5:], strict=False)) > 0.95
    assert times[-1] - times[0] > 2.9  # 16 grants need a fourth window


def test_the_budget_raises_a_retryable_error_while_redis_is_down_and_recovers_after(redis):
    limiter = window_on(redis.url, "skailer:restart", 100)
    assert limiter.acquire() == 0
    redis.stop()
    try:
        with pytest.raises(RetryableError) as stopped:
            limiter.acquire()
        assert stopped.value.retry_after and stopped.value.retry_after > 0
    finally:
        redis.start()
    assert limiter.acquire() == 0


def test_nexivohr_daily_quota_is_counted_once_for_every_worker(redis):
    key = "nexivohr:https://tenant.example/ats/api/v1"
    first = DailyQuota(3, storage=counter_storage({"REDIS_URL": redis.url}), key=key)
    second = DailyQuota(3, storage=counter_storage({"REDIS_URL": redis.url}), key=key)
    first.take()
    second.take()
    first.take()
    with pytest.raises(RetryableError, match="daily request quota"):
        second.take()


def test_web_processes_count_the_apply_limit_together_in_redis(make_app, redis):
    first = make_app(QUEUE_URL=redis.url, APPLY_RATE_LIMIT="1 per hour")
    job_id = add_job(first)
    client = first.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.21"
    assert post_application(client, job_id, open_form(client, job_id), valid_answers()).status_code == 302
    # Another process starts with nothing counted in its own memory; Redis remembers.
    second = another_process(first, APPLY_RATE_LIMIT="1 per hour")
    other = second.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.21"
    answers = valid_answers(email="again@example.com")
    assert post_application(other, job_id, open_form(other, job_id), answers).status_code == 429


def another_process(app, **overrides):
    """A second app on the same database and Redis, as another web process would be."""
    tmp = Path(app.instance_path).parent
    return create_app(app_config(tmp, QUEUE_URL=app.config["QUEUE_URL"], **overrides))


def test_a_job_edited_in_one_process_is_shown_fresh_by_every_other_at_once(make_app, redis):
    web = make_app(QUEUE_URL=redis.url, PAGE_CACHE_SECONDS=60)
    job_id = add_job(web, title="Backend Engineer")
    visitor = web.test_client()
    assert "Backend Engineer" in visitor.get(f"/jobs/{job_id}").text
    admin = another_process(web, PAGE_CACHE_SECONDS=60)
    with admin.app_context():
        db.session.get(Job, job_id).title = "Platform Engineer"
        db.session.commit()
    page = visitor.get(f"/jobs/{job_id}").text
    assert "Platform Engineer" in page and "Backend Engineer" not in page


def test_pages_render_fresh_while_the_cache_in_redis_is_down(make_app, redis):
    web = make_app(QUEUE_URL=redis.url, PAGE_CACHE_SECONDS=60)
    job_id = add_job(web, title="Backend Engineer")
    visitor = web.test_client()
    redis.stop()
    try:
        page = visitor.get(f"/jobs/{job_id}")
    finally:
        redis.start()
    assert page.status_code == 200 and "Backend Engineer" in page.text


def test_an_application_sent_while_redis_is_down_is_stored_then_delivered_once_it_is_back(make_app, redis):
    app = make_app(QUEUE_URL=redis.url, APPLY_RATE_LIMIT="5 per hour")
    job_id = add_job(app)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.22"
    hidden = open_form(client, job_id)
    redis.stop()
    try:
        response = post_application(client, job_id, hidden, valid_answers())
    finally:
        redis.start()
    assert response.status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application is not None
        assert db.session.get(Delivery, application.id).status == "pending"
        huey = app.extensions["careers.tasks"].huey
        assert huey.pending_count() == 0  # the wake-up was lost with Redis
        assert sweep_once(app) == 1
        task = huey.dequeue()
        assert task is not None
        huey.execute(task)
        db.session.expire_all()
        assert db.session.get(Delivery, application.id).status == "delivered"


SKAILER = {"kind": "skailer", "base_url": "https://skailer.example", "token": "t", "stage": "New"}


def test_lookups_are_read_once_for_every_worker_and_again_by_all_after_a_job_sync(make_app, redis):
    first = make_app(QUEUE_URL=redis.url, ATS=SKAILER)
    second = another_process(first, ATS=SKAILER)
    target = "skailer:https://skailer.example"
    loads: list[int] = []

    def load() -> list[dict]:
        loads.append(1)
        return [{"id": 311, "title": f"read {len(loads)}"}]

    one = TtlCache(600, shared=SharedLookups(cache_backend(first), target), name="jobs")
    other = TtlCache(600, shared=SharedLookups(cache_backend(second), target), name="jobs")
    assert one.get("all", load) == other.get("all", load) == [{"id": 311, "title": "read 1"}]
    first.extensions["careers.adapters"].fresh("skailer")  # what a job sync starts with
    assert other.get("all", load) == [{"id": 311, "title": "read 2"}]
    other.clear()  # an adapter that saw a sign of change
    assert one.get("all", load) == [{"id": 311, "title": "read 3"}]
    redis.stop()
    try:
        assert one.get("all", load) == [{"id": 311, "title": "read 4"}]  # to the ATS, no error
    finally:
        redis.start()


def test_consumers_wait_out_a_redis_outage_quietly_and_sweep_once_it_is_back(redis, caplog):
    pauses: list[float] = []
    huey = make_huey(redis.url, name="outage", wait=pauses.append)
    sweeps: list[int] = []
    huey.recovered.append(lambda: sweeps.append(1))
    redis.stop()
    try:
        with caplog.at_level(logging.INFO, logger="app.intake.queue"):
            assert [huey.dequeue() for _ in range(6)] == [None] * 6
            assert huey.read_schedule() == []
    finally:
        redis.start()
    assert pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]  # not a tight loop of failed reads
    assert huey.dequeue() is None and sweeps == [1]
    assert huey.dequeue() is None and sweeps == [1]  # once per outage
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "queue unreachable (ConnectionError); consumers wait and try again"
    assert len(messages) == 2 and messages[1].startswith("queue reachable again after")
    assert not any(record.exc_info for record in caplog.records)


def test_a_queue_on_a_redis_that_never_answers_gives_up_within_two_seconds():
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    try:
        huey = make_huey(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", name="silent")
        started = time.monotonic()
        with pytest.raises(StoreDown):
            huey.storage.enqueue(b"wake-up")
        assert time.monotonic() - started < 2.0
    finally:
        silent.close()
