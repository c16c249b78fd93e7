"""Celery tasks for tests/integration/test_job_retry_purge.py: a Redis broker and result
backend at CELERY_TEST_URL with result_extended=True (so a failed task's name, arguments and
queue are stored with its result), and kombu's global_keyprefix from CELERY_TEST_PREFIX."""

import os
import time

import redis
from celery import Celery

URL = os.environ["CELERY_TEST_URL"]
PREFIX = os.environ.get("CELERY_TEST_PREFIX", "")

app = Celery("celery_retry_tasks", broker=URL, backend=URL)
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"], result_extended=True,
                broker_transport_options={"global_keyprefix": PREFIX} if PREFIX else {},
                broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)


@app.task(name="celery_retry_tasks.flaky")
def flaky(counter, x):
    """Fails on its first run (a Redis counter says which run this is), then doubles x."""
    if redis.Redis.from_url(URL).incr(counter) == 1:
        raise RuntimeError(f"first attempt of {counter} fails")
    return x * 2


@app.task(name="celery_retry_tasks.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="celery_retry_tasks.add")
def add(x, y):
    return x + y


@app.task(name="celery_retry_tasks.sleep")
def sleep(seconds):
    time.sleep(seconds)
    return seconds
