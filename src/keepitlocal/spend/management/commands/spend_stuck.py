"""List the spend analyses whose worker stopped (no sign of life for KIL_ANALYSIS_STALE_MINUTES), and with --clear
mark them failed so that their councils can start them again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keepitlocal.spend import analysis


class Command(BaseCommand):
    help = "List spend analyses whose worker stopped; --clear marks them failed so they can be started again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clear", action="store_true", help="Mark every stuck analysis failed, with a plain reason.")

    def handle(self, *args: Any, **options: Any) -> None:
        stuck = analysis.stuck_runs()
        if not stuck:
            self.stdout.write("No analysis is stuck.")
            return
        now = timezone.now()
        for run in stuck:
            last = run.heartbeat_at or run.started_at or run.created_at
            minutes = int((now - last).total_seconds() // 60)
            self.stdout.write(
                f"Analysis {run.pk} of {run.council.name} ({run.council.gss_code}): no sign of life for {minutes} minutes"
            )
        if options["clear"]:
            cleared = analysis.recover_stuck_runs()
            self.stdout.write(f"Marked {len(cleared)} failed; their councils can start them again.")
        else:
            self.stdout.write("Run again with --clear to mark them failed.")
