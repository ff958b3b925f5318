"""Background jobs asked for by name.

A capability's tasks (its `tasks.py`, what the worker runs) sit above its services in the layers: a task calls the
services that do the work. A service that needs work done later (analyse a council's files, fetch registers, measure
an area) asks for the job by its name here rather than importing the task, so that nothing below the tasks imports
them. Each name is a task's import path; `tests/unit/test_jobs.py` holds every name to a task and every task to a name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.module_loading import import_string


class Job(StrEnum):
    ANALYSE_COUNCIL = "keepitlocal.spend.tasks.analyse_council"
    FETCH_REGISTERS = "keepitlocal.spend.tasks.fetch_registers"
    MEASURE_AREA = "keepitlocal.connections.tasks.measure_area"
    SEND_PASSWORD_RESET = "keepitlocal.accounts.tasks.send_password_reset"  # noqa: S105 - a task's path, not a password

    @property
    def task(self) -> Any:
        """The django-tasks Task itself (imported when asked for: the worker's modules are not loaded before)."""
        return import_string(self.value)


def enqueue(job: Job, *args: Any) -> Any:
    """Ask the worker to run `job` with `args` (plain JSON values); its result row, as django-tasks gives it."""
    return job.task.enqueue(*args)
