"""Functions the RQ workers in test_job.py run. The workers import this module by its name
(rq_tasks.<function>), with this directory on their PYTHONPATH."""

import os


def echo(*args, **kwargs):
    """Returns what it was called with, so a test can compare it with what it sent."""
    return {"args": list(args), "kwargs": kwargs}


def nested_result():
    """A dict with nested values of every JSON-like type."""
    return {"name": "résumé ✓", "n": 42, "big": 2 ** 70, "ratio": 0.25, "ok": True, "none": None,
            "items": [1, "two", [3.5, False]], "inner": {"deep": {"list": [], "dict": {}}}}


def fail(message="boom"):
    """Raises, so the job ends failed with a traceback."""
    raise ValueError(message)


def fail_until_marker(path):
    """Fails until the file at `path` exists, then succeeds: requeue tests create it in between."""
    if not os.path.exists(path):
        raise RuntimeError("marker " + path + " is missing")
    return "ran after requeue"


def add(a, b):
    return a + b


def returns_none():
    return None
