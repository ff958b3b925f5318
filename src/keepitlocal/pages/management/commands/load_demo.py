"""manage.py load_demo: the demonstration network, its accounts and every capability's demo (as `kil load-demo`)."""

from typing import Any

from django.core.management.base import BaseCommand

from keepitlocal.network.demo import DEMO_PASSWORD
from keepitlocal.pages.demo import load_everything


class Command(BaseCommand):
    help = "Load the demonstration network, its accounts and every capability's demo (safe to run twice)."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_everything()
        for line in loaded.said:
            self.stdout.write(line)
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for line in loaded.accounts:
            self.stdout.write(f"  {line}")
