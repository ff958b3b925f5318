"""The `kil` command: the platform's services from a terminal, for analysts and operators."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

console = Console(stderr=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    import django

    django.setup()


@click.group()
@click.version_option(package_name="keepitlocal")
def main() -> None:
    """Keep it Local: councils, membership, spend and value evidence."""


@main.command("import-councils")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_councils(files: tuple[Path, ...]) -> None:
    """Load ONS local authority names, codes and hierarchy files (any mix, recognised by header)."""
    _django()
    from keepitlocal.network.engine.councils_file import UnrecognisedFileError, read_councils
    from keepitlocal.network.services import apply_council_import

    sources = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("Reading", total=len(files))
        for path in files:
            sources.append((str(path), path.read_bytes()))
            progress.advance(task)
    try:
        result = read_councils(sources)
    except UnrecognisedFileError as error:
        raise click.ClickException(str(error)) from None
    run = apply_council_import(result, ", ".join(str(p) for p in files))
    table = Table(title="Council import")
    for heading in ("Rows read", "Created", "Updated", "Unchanged", "Skipped (not a council)", "Rejected"):
        table.add_column(heading, justify="right")
    table.add_row(*(f"{n:,}" for n in (run.rows_read, run.created, run.updated, run.unchanged, run.skipped, run.rejected)))
    Console().print(table)
    for rejection in run.rejections[:20]:
        click.echo(f"rejected {rejection['source']} row {rejection['row']}: {rejection['reason']}")
    if not result.records:
        raise click.ClickException("No councils found in the files")


@main.command("load-reference")
def load_reference() -> None:
    """Load the principles, the cohorts and the bundled list of network councils."""
    _django()
    from keepitlocal.network.reference import load_reference_data
    from keepitlocal.network.services import summarise

    for line in summarise([load_reference_data()]):
        click.echo(line)


@main.command("load-demo")
def load_demo() -> None:
    """Load the demonstration network and its accounts (safe to run twice)."""
    _django()
    from keepitlocal.network.demo import DEMO_PASSWORD
    from keepitlocal.network.demo import load_demo as load

    lines = load()
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for line in lines:
        click.echo(f"  {line}")


@main.command("manage", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, for example `kil manage migrate`."""
    from keepitlocal.manage import main as django_main

    django_main(["kil manage", *args])


if __name__ == "__main__":
    sys.exit(main())
