"""Celery tasks for tests/integration/test_job_celery.py: a Redis broker and a Redis result
backend at CELERY_TEST_URL (the test's harness server)."""

import os

from celery import Celery

app = Celery("celery_tasks", broker=os.environ["CELERY_TEST_URL"], backend=os.environ["CELERY_TEST_URL"])
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)


@app.task(name="celery_tasks.add")
def add(x, y):
    return x + y


@app.task(name="celery_tasks.echo")
def echo(*args, **kwargs):
    return {"args": list(args), "kwargs": kwargs}


@app.task(name="celery_tasks.fail")
def fail(message):
    raise ValueError(message)
