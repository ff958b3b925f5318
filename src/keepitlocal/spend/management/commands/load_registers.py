"""manage.py load_registers FILE...: record register files for every council's spend analysis."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepitlocal.spend.registers import RegisterError, load_register_path


class Command(BaseCommand):
    help = "Load register files (charity and company registers, postcode lookups) for the spend analysis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path} is not a file")
            try:
                record, created = load_register_path(path)
            except RegisterError as error:
                self.stderr.write(str(error))
                failed = True
                continue
            self.stdout.write(("loaded " if created else "already loaded ") + f"{record.original_name}: {record.describe()}")
        if failed:
            raise CommandError("Some files were not loaded")
