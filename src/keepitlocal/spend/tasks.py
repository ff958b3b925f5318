"""Background work: the analysis of a council's spend files runs in the task worker, not the web request."""

from __future__ import annotations

from django_tasks import task

from keepitlocal.spend.models import AnalysisRun


@task()
def analyse_council(run_id: int) -> None:
    from keepitlocal.spend.analysis import recover_stuck_runs, run_analysis

    recover_stuck_runs()  # a worker restarted after a crash: its predecessor's run, and its task, are failed
    run = AnalysisRun.objects.select_related("council").get(pk=run_id)
    run_analysis(run)


@task()
def fetch_registers(fetch_id: int) -> None:
    from keepitlocal.spend.registers import run_fetch

    run_fetch(fetch_id)
