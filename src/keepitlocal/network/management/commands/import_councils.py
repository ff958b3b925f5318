"""manage.py import_councils FILE...: load ONS names-and-codes and hierarchy files into the council register."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepitlocal.common.councils_file import UnrecognisedFileError, read_council_files
from keepitlocal.network.services import apply_council_import, summarise


class Command(BaseCommand):
    help = "Load ONS local authority names, codes and hierarchy (LAD → UTLA → region) from CSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        files = options["files"]
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path} is not a file")
        try:
            result = read_council_files(files)
        except UnrecognisedFileError as error:
            raise CommandError(str(error)) from None
        run = apply_council_import(result, ", ".join(str(p) for p in files))
        for line in summarise([run]):
            self.stdout.write(line)
        for rejection in run.problems[:20]:
            self.stdout.write(f"  rejected {rejection['source']} row {rejection['row']}: {rejection['reason']}")
