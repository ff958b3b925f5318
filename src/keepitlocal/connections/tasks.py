"""Background work: a council's area measured from the maps shared with it, once per change."""

from __future__ import annotations

from django_tasks import task


@task()
def measure_area(measures_id: int) -> None:
    from keepitlocal.connections.services import measure_area_now

    measure_area_now(measures_id)
