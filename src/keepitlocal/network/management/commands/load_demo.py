"""manage.py load_demo: reference data plus the demonstration network and accounts (safe to run twice)."""

from typing import Any

from django.core.management.base import BaseCommand

from keepitlocal.network.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the principles, cohorts, bundled councils and the demonstration network."

    def handle(self, *args: Any, **options: Any) -> None:
        from keepitlocal.connections.demo import load_demo_connections
        from keepitlocal.spend.demo import load_demo_spend

        lines = load_demo()
        load_demo_spend()
        load_demo_connections()
        from keepitlocal.value.demo import load_demo_value

        load_demo_value()
        from keepitlocal.directory.demo import load_demo_directory

        load_demo_directory()
        self.stdout.write(f"Demo loaded. Demo accounts (password: {DEMO_PASSWORD}):")
        for line in lines:
            self.stdout.write(f"  {line}")
