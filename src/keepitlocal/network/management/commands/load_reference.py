"""manage.py load_reference: the principles, cohorts and the bundled list of network councils."""

from typing import Any

from django.core.management.base import BaseCommand

from keepitlocal.network.reference import load_reference_data
from keepitlocal.network.services import summarise


class Command(BaseCommand):
    help = "Load the principles, the cohorts and the bundled list of councils."

    def handle(self, *args: Any, **options: Any) -> None:
        run = load_reference_data()
        for line in summarise([run]):
            self.stdout.write(line)
