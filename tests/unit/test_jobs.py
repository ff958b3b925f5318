"""Every job asked for by name is a task the worker can run, and every task has its name."""

from __future__ import annotations

import importlib
import pkgutil

from django_tasks.base import Task

import keepitlocal
from keepitlocal.jobs import Job


def _tasks() -> set[str]:
    """Every django-tasks Task defined in a capability's tasks module."""
    found = set()
    for module in pkgutil.walk_packages(keepitlocal.__path__, "keepitlocal."):
        if module.name.endswith(".tasks"):
            loaded = importlib.import_module(module.name)
            found |= {f"{module.name}.{name}" for name, value in vars(loaded).items() if isinstance(value, Task)}
    return found


def test_every_job_name_is_a_task_and_every_task_has_a_name() -> None:
    assert all(isinstance(job.task, Task) and job.task.module_path == job.value for job in Job)
    assert {job.value for job in Job} == _tasks()
