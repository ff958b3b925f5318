"""The `kil` command: the platform's services from a terminal, for analysts and operators."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

console = Console(stderr=True)


def _file_progress() -> Progress:
    """A progress bar over files on a terminal; nothing when output goes to a file or a pipe."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        console=console,
        disable=not console.is_terminal,
    )


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    import django

    from keepitlocal.config import prepare

    prepare()  # the var folder and the development key, before the settings read them

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
    from keepitlocal.common.councils_file import UnrecognisedFileError, read_councils
    from keepitlocal.network.services import apply_council_import

    sources = []
    with _file_progress() as progress:
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
    for rejection in run.problems[:20]:
        click.echo(f"rejected {rejection['source']} row {rejection['row']}: {rejection['reason']}")
    if not result.records:
        raise click.ClickException("No councils found in the files")


@main.command("load-reference")
def load_reference() -> None:
    """Load the principles, the cohorts and the bundled list of every UK council (ONS names and codes)."""
    _django()
    from keepitlocal.network.reference import load_reference_data
    from keepitlocal.network.services import summarise

    for line in summarise([load_reference_data()]):
        click.echo(line)


CLI_ACTOR = "kil command"  # how the change history names what a script did


@main.group()
def councils() -> None:
    """Bring councils into the network (as the network team's Councils page does)."""


@councils.command("add")
@click.argument("gss_code")
def councils_add(gss_code: str) -> None:
    """Add the council with this GSS code to the network as a prospect (nothing changes if it is already in)."""
    _django()
    from keepitlocal.network import people
    from keepitlocal.network.models import Council

    council = Council.objects.filter(gss_code=gss_code.strip().upper()).first()
    if council is None:
        raise click.ClickException(f"No council has the GSS code {gss_code}; `kil import-councils` loads newer ONS lists")
    with _people_refusals():
        membership = people.add_to_network(council, CLI_ACTOR)
    click.echo(f"{council.name} ({council.gss_code}): {membership.get_stage_display()}")


@main.group("people")
def people_group() -> None:
    """A council's people: list, invite (an emailed link to set a password), invite again, change role, remove."""


ROLE_OPTION = click.option("--role", type=click.Choice(["editor", "viewer"]), default="editor", show_default=True)


@contextlib.contextmanager
def _people_refusals() -> Iterator[None]:
    """What cannot be done to a council's people (people.PeopleError), said in one line as the command's error."""
    from keepitlocal.network.people import PeopleError

    try:
        yield
    except PeopleError as error:
        raise click.ClickException(str(error)) from None


def _council_and_person(gss_code: str, email: str | None = None) -> tuple[Any, Any]:
    _django()
    from keepitlocal.accounts.models import User
    from keepitlocal.network.models import Council

    council = Council.objects.filter(gss_code=gss_code.strip().upper()).first()
    if council is None:
        raise click.ClickException(f"No council has the GSS code {gss_code}")
    if email is None:
        return council, None
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise click.ClickException(f"Nobody has the address {email}; invite them first")
    return council, user


@people_group.command("list")
@click.argument("gss_code")
def people_list(gss_code: str) -> None:
    """The council's editors and viewers, and whether each has set a password."""
    from keepitlocal.network import people

    council, _ = _council_and_person(gss_code)
    found = people.people_of(council)
    if not found:
        click.echo(f"Nobody works on {council.name} yet")
    for p in found:
        state = "link expired" if p.expired else "invited" if p.waiting else "active"
        click.echo(f"{p.user.email}\t{p.role}\t{state}")


@people_group.command("invite")
@click.argument("gss_code")
@click.argument("email")
@ROLE_OPTION
@click.option("--name", default="", help="The person's full name.")
def people_invite(gss_code: str, email: str, role: str, name: str) -> None:
    """Invite EMAIL to work on the council (adding the council to the network if it is not in it)."""
    from keepitlocal.network import people

    council, _ = _council_and_person(gss_code)
    with _people_refusals():
        people.add_to_network(council, CLI_ACTOR)
        sent = people.invite(council, email, f"council_{role}", CLI_ACTOR, name)
    click.echo(
        f"Invited {email} as {role} of {council.name}: "
        + ("emailed a link to set a password" if sent else "told they can sign in")
    )


@people_group.command("reinvite")
@click.argument("gss_code")
@click.argument("email")
def people_reinvite(gss_code: str, email: str) -> None:
    """Send a new link (the old one stops working)."""
    from keepitlocal.network import people

    council, user = _council_and_person(gss_code, email)
    with _people_refusals():
        people.invite_again(council, user, CLI_ACTOR)
    click.echo(f"Sent {user.email} a new email")


@people_group.command("change")
@click.argument("gss_code")
@click.argument("email")
@ROLE_OPTION
def people_change(gss_code: str, email: str, role: str) -> None:
    """Make the person an editor or a viewer of the council."""
    from keepitlocal.network import people

    council, user = _council_and_person(gss_code, email)
    with _people_refusals():
        people.change_role(council, user, f"council_{role}", CLI_ACTOR)
    click.echo(f"{user.email} is {role} of {council.name}")


@people_group.command("remove")
@click.argument("gss_code")
@click.argument("email")
def people_remove(gss_code: str, email: str) -> None:
    """Take the person's role at the council away (their account stays for any other role)."""
    from keepitlocal.network import people

    council, user = _council_and_person(gss_code, email)
    with _people_refusals():
        people.remove(council, user, CLI_ACTOR)
    click.echo(f"{user.email} no longer works on {council.name}")


@main.command("load-demo")
def load_demo() -> None:
    """Load the demonstration network and its accounts (safe to run twice)."""
    _django()
    from keepitlocal.network.demo import DEMO_PASSWORD
    from keepitlocal.pages.demo import load_everything

    loaded = load_everything()
    for line in loaded.said:
        click.echo(line)
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for line in loaded.accounts:
        click.echo(f"  {line}")


@main.group()
def spend() -> None:
    """Analyse councils' published "spend over £500" files."""


@spend.command("analyse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the five outputs."
)
@click.option("--council", default="", help="The council's GSS code, to say which suppliers are local.")
@click.option(
    "--registers", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of downloaded register files."
)
@click.option(
    "--registers-cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where loaded registers are kept between runs (default: ~/.cache/keepitlocal/registers). "
    "A folder's registers are loaded again only when its files change.",
)
@click.option("--no-registers-cache", is_flag=True, help="Load the registers afresh and keep nothing.")
@click.option("--ignore-column", "ignore", multiple=True, help="Treat this published column as absent (repeatable).")
@click.option(
    "--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSON or YAML: field → published column."
)
def spend_analyse(
    paths: tuple[Path, ...],
    out: Path,
    council: str,
    registers: Path | None,
    registers_cache: Path | None,
    no_registers_cache: bool,
    ignore: tuple[str, ...],
    mapping: Path | None,
) -> None:
    """Read spend files (CSV, XLSX, or gzip or zip of them), classify suppliers and write the outputs to OUT."""
    from keepitlocal.spend.engine.headings import normal
    from keepitlocal.spend.engine.pipeline import NothingUsableError, Options, analyse
    from keepitlocal.spend.engine.read import FileReport

    overrides = _read_mapping(mapping) if mapping else {}
    _writable(out)
    loaded = None
    if registers:
        loaded = _load_registers(registers, None if no_registers_cache else registers_cache or _default_cache())
        for line in loaded.report():
            click.echo(line)
    options = Options(
        council=council.strip().upper(),
        overrides=overrides,
        ignore=[normal(c) for c in ignore],
        registers=loaded,
        councils=_council_register(),
    )
    from keepitlocal.spend.engine.pipeline import STAGES, Stage

    stages: list[Stage] = list(STAGES)
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        files_task = bar.add_task("Reading files", total=None)
        stage_task = bar.add_task("Stages", total=len(stages))

        def progress(stage: str, detail: object) -> None:
            if stage == "read":
                bar.update(files_task, total=int(detail or 0))  # type: ignore[call-overload]
            elif stage == "file":
                bar.advance(files_task)
                if not console.is_terminal and isinstance(detail, FileReport):
                    click.echo(
                        f"read {detail.name}: {detail.rows_read} rows, {detail.kept} kept, {detail.rejected} rejected"
                        + (f"; {detail.reason}" if detail.reason else ""),
                        err=True,
                    )
            if stage in stages:
                step = Stage(stage)
                bar.update(stage_task, completed=stages.index(step) + 1, description=f"Stage: {step.label}")
                if not console.is_terminal and step != Stage.READ:
                    click.echo(f"stage: {step.label}", err=True)

        try:
            result = analyse(list(paths), out, options, progress)
        except NothingUsableError as error:
            raise click.ClickException(str(error)) from None
    for line in reading_lines(result):
        click.echo(line)
    click.echo(
        f"{result.rows_read:,} rows read = {result.kept:,} kept + {result.rejected:,} rejected ({result.duplicates:,} duplicates); {result.suppliers:,} suppliers"
    )
    for line in summary_lines(result):
        click.echo(line)
    click.echo(f"Outputs in {out}: transactions.csv, rejected.csv, suppliers.csv, indicators.json, report.html")
    unread = result.unread
    if unread:
        ambiguous = any(f.status == "ambiguous" for f in unread)
        hint = " Say which column is which with --mapping (JSON or YAML: field → heading) and run again." if ambiguous else ""
        raise click.ClickException(
            f"{len(unread)} of {len(result.files)} files could not be read; the figures leave them out.{hint}"
        )


def reading_lines(result: Any) -> list[str]:
    """How each layout (files with the same heading row) was read, field by field, then each file not read and why."""
    from keepitlocal.spend.engine.headings import FIELD_LABELS

    lines: list[str] = []
    for number, layout in enumerate(result.layouts, start=1):
        files = len(layout.files)
        lines.append(
            f"Layout {number} ({files} file{'s' if files != 1 else ''}, {layout.rows_sampled:,} rows sampled): {layout.status.label}"
        )
        for reading in layout.fields:
            samples = ", ".join(repr(v) for v in reading.samples[:3])
            why = f"by {reading.how_label}" + (f"; {reading.why}" if reading.why else "")
            lines.append(f"  {FIELD_LABELS[reading.field]} ← '{reading.heading}' ({why}){': ' + samples if samples else ''}")
        if layout.payments:
            check = "passed" if layout.payee_checked else "FAILED"
            lines.append(f"  payee check {check}: {layout.payees:,} different payees over {layout.payments:,} named payments")
        for note in layout.notes:
            lines.append(f"  note: {note}")
        if layout.status != "read":
            lines.append(f"  not read: {layout.reason}")
    for f in result.unread:
        lines.append(f"not read: {f.name}: {f.reason}")
    if result.checked_payee_share is not None:
        lines.append(f"Payee read from a column that passed its checks for {result.checked_payee_share:.1f}% of spend read")
    return lines


def _writable(out: Path) -> None:
    """Refuse an output folder that cannot be written, before any work is done, in one line."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".kil-write-test-"):
            pass
    except OSError as error:
        raise click.ClickException(f"Cannot write the outputs to {out}: {error.strerror or error}") from None


def _council_register() -> list[Any]:
    """The bundled list of councils (the one `make setup` loads into the platform), read as a file: the analysis
    needs no platform database, and starting Django only to read the same list cost half a second on every run."""
    from keepitlocal.common.councils_file import bundled_councils

    return bundled_councils()


def summary_lines(result: Any) -> list[str]:
    """The CLI's closing summary: the period with its gaps, then the headline shares overall and per financial year,
    each share with its coverage and bounds, and "not known" (never 0%) where nothing is known."""
    from keepitlocal.spend.engine.figures import FigureSet, IndicatorId

    def shares(figures: FigureSet) -> str:
        local_text = (
            "not known (no supplier placed)"
            if not figures.value(IndicatorId.LOCALITY_KNOWN)
            else figures[IndicatorId.SHARE_LOCAL].sentence("were local")
        )
        return f"VCSE share {figures[IndicatorId.SHARE_VCSE].sentence('were VCSE')}; local share {local_text}"

    lines = [f"Period: {result.period.label}"]
    if result.period.missing:
        lines.append(f"No payments in {result.period.missing_label}")
    if result.period.unread:
        lines.append(f"Not known for {result.period.unread_label}: files that seem to cover it were not read")
    lines.append(f"All payments: {shares(result.figures.whole)}")
    for year in result.years:
        missing, unread = year.period.missing, year.period.unread
        notes = [f"none in {year.period.missing_label}"] if missing else []
        notes += [f"not read: {year.period.unread_label}"] if unread else []
        notes += [f"beyond the files: {year.period.uncovered_label}"] if year.period.uncovered else []
        gaps = f" ({len(year.period.months)} of 12 months; {'; '.join(notes)})" if notes else ""
        lines.append(f"{year.year}, {year.period.label}{gaps}: {shares(year.figures)}")
    return lines


def _default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keepitlocal" / "registers"


def _load_registers(folder: Path, cache: Path | None) -> Any:
    """The registers in `folder`: from the cache when its files are unchanged (same names, sizes and modification
    times), otherwise loaded and, with a cache, kept there for the next run."""
    import hashlib

    from keepitlocal.spend.engine.registers import Registers

    if cache is None:
        return Registers.from_folder(folder, log=lambda line: console.print(line))
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    facts = "\n".join(f"{p.relative_to(folder)}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in files)
    key = hashlib.sha256(facts.encode()).hexdigest()[:16]
    # One slot per registers folder: a new set of files replaces that folder's old one, never another folder's.
    slot = cache / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    reused = any(slot.glob(f"registers-{key}-*.duckdb"))
    try:
        loaded = Registers.cached(files, slot, key)
    except OSError as error:  # a cache that cannot be written: load as without one
        console.print(f"registers: cache not used ({error}); loading afresh")
        return Registers.from_folder(folder, log=lambda line: console.print(line))
    click.echo(f"registers: {'reused from' if reused else 'loaded and kept in'} {slot}")
    return loaded


def _read_mapping(path: Path) -> dict[str, str]:
    import json

    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise click.ClickException(
            f'{path}: a mapping is an object of field names to column names, for example {{"amount": "Net Amount"}}'
        )
    return data


@main.group()
def connections() -> None:
    """Relationship maps: measure an organisation's bridging role."""


@connections.command("measure")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for measures.csv and summary.json."
)
@click.option("--on", "on", default="", help="Measure the map as it stood on this date (YYYY-MM-DD); default today.")
@click.option(
    "--sample-above",
    type=int,
    default=None,
    help="Estimate betweenness from a sample of sources above this many elements (default 1,000).",
)
def connections_measure(path: Path, out: Path, on: str, sample_above: int | None) -> None:
    """Read a Kumu workbook (.xlsx), a Kumu blueprint (.json) or GEXF and write every element's measures to OUT."""
    from datetime import date

    from keepitlocal.connections.engine import measures as m
    from keepitlocal.connections.engine import outputs
    from keepitlocal.connections.engine.files import read_file
    from keepitlocal.connections.engine.problems import ImportRejected

    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise click.BadParameter("write the date as YYYY-MM-DD", param_hint="--on") from None
    try:
        network = read_file(path.name, path.read_bytes())
    except ImportRejected as rejected:
        for p in rejected.problems[:50]:
            where = f"{p.sheet} row {p.row}" if p.row else p.sheet or path.name
            click.echo(f"{where}, {p.column or '-'}: {p.message}" + (f" ({p.value!r})" if p.value else ""), err=True)
        raise click.ClickException(f"{path.name} was not read: {len(rejected.problems)} problem(s)") from None
    threshold = sample_above if sample_above is not None else m.SAMPLE_ABOVE
    measures = m.measure(network, day, sample_above=threshold)
    written = outputs.write(measures, out)
    s = measures.summary
    click.echo(
        f"{s.elements:,} elements, {s.connections:,} connections current on {day.isoformat()} ({s.ties:,} distinct ties), "
        f"{s.components:,} component(s), density {s.density:.4f}, {len(s.cut_points):,} cut point(s)"
    )
    if s.betweenness_sampled_from:
        click.echo(f"betweenness estimated from {s.betweenness_sampled_from:,} sampled sources (over {threshold:,} elements)")
    click.echo("Outputs: " + ", ".join(str(p) for p in written))


@main.group()
def value() -> None:
    """The value case: prevention savings from cited unit costs."""


@value.command("import-unit-costs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def value_import_unit_costs(file: Path) -> None:
    """Import the GMCA Unit Cost Database (workbook or CSV) into the platform's library; safe to run twice."""
    _django()
    from keepitlocal.value.services import import_library

    run = import_library(file.name, file.read_bytes())
    click.echo(
        f"{file.name}: {run.rows_read:,} lines read, {run.created:,} created, {run.updated:,} updated, "
        f"{run.unchanged:,} unchanged, {len(run.problems):,} not read"
    )
    for problem in run.problems[:20]:
        click.echo(f"not read: {problem['sheet']} row {problem['row']}: {problem['message']}")


@value.command("load-deflator")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Where the series comes from, e.g. 'HM Treasury GDP deflators, June 2026'.")
def value_load_deflator(file: Path, source: str) -> None:
    """Load a deflator series (CSV with year and index columns, no gaps) for new value cases to uprate with."""
    _django()
    from keepitlocal.common.refused import Refused
    from keepitlocal.value.services import engine_deflator, load_deflator

    try:
        row = load_deflator(file.read_text(encoding="utf-8-sig"), source)
    except Refused as error:
        raise click.ClickException(f"{file.name}: {error.message}") from None
    series = engine_deflator(row)
    assert series is not None
    click.echo(f"{file.name}: {len(series.index)} years, {series.first} to {series.last}, loaded as the newest series")


@value.command("import-grants")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def value_import_grants(files: tuple[Path, ...]) -> None:
    """Import 360Giving files (JSON data packages or the flat CSV layout); a grant already held is not added again."""
    _django()
    from keepitlocal.value.engine.grants import NotGrants
    from keepitlocal.value.services import import_grants

    for file in files:
        try:
            run = import_grants(file.name, file.read_bytes())
        except NotGrants as error:
            raise click.ClickException(f"{file.name}: {error}") from None
        click.echo(
            f"{file.name}: {run.rows_read:,} grants read, {run.created:,} added, {run.unchanged:,} already held, {len(run.problems):,} not read"
        )


@value.command("calculate")
@click.argument("case_file", metavar="CASE.yaml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for result.json and report.html."
)
@click.option(
    "--library",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A unit-cost library whose codes the case uses: the GMCA Unit Cost Database workbook (.xlsx) or its CSV.",
)
@click.option(
    "--deflator",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A deflator series (CSV with year and index columns) to uprate with, instead of the library's own.",
)
@click.option("--deflator-source", default="", help="Where the --deflator series comes from (its citation).")
def value_calculate(case_file: Path, out: Path, library: Path | None, deflator: Path | None, deflator_source: str) -> None:
    """Calculate a value case written as YAML (docs/VALUE.md) and write result.json and report.html to OUT."""
    from keepitlocal.value.engine import gmca, outputs
    from keepitlocal.value.engine.calculator import CaseError, calculate
    from keepitlocal.value.engine.case import read_case_file
    from keepitlocal.value.engine.deflator import DeflatorError, read_series

    costs, series = {}, None
    if library:
        loaded = gmca.read(library)
        costs, series = {c.code: c for c in loaded.costs}, loaded.deflator
        click.echo(
            f"{len(loaded.costs):,} unit costs read from {library.name}"
            + (f"; {len(loaded.problems)} lines not read" if loaded.problems else "")
        )
    if deflator:
        if not deflator_source.strip():
            raise click.BadParameter("say where the series comes from", param_hint="--deflator-source")
        try:
            series = read_series(deflator.read_text(encoding="utf-8"), deflator_source)
        except DeflatorError as error:
            raise click.ClickException(f"{deflator.name}: {error}") from None
    try:
        result = calculate(read_case_file(case_file, costs, series))
    except (CaseError, DeflatorError) as error:
        raise click.ClickException(f"{case_file.name}: {error}") from None
    written = outputs.write(result, out)
    c, low, high = result.central, result.low, result.high
    from keepitlocal.common.money import whole_pounds

    click.echo(
        f"Fiscal NPV {whole_pounds(c.npv)} (low {whole_pounds(low.npv)}, high {whole_pounds(high.npv)}); PV costs {whole_pounds(c.pv_costs)}"
    )
    if c.bcr_fiscal is not None:
        click.echo(
            f"Benefit-cost ratio (fiscal) {c.bcr_fiscal:.2f} (low {low.bcr_fiscal or 0:.2f}, high {high.bcr_fiscal or 0:.2f})"
        )
    for warning in result.warnings:
        click.echo(f"warning: {warning.message}")
    click.echo("Outputs: " + ", ".join(str(p) for p in written))


@main.group()
def registers() -> None:
    """Register files used by every council's spend analysis in the platform."""


@registers.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def registers_load(files: tuple[Path, ...]) -> None:
    """Check and record register files (recognised by their header) for the platform."""
    _django()
    from keepitlocal.spend.registers import RegisterError, load_register_path

    failed = []
    loaded = []
    with _file_progress() as progress:
        task = progress.add_task("Loading registers", total=len(files))
        for path in files:
            try:
                record, created = load_register_path(path)
                click.echo(("loaded " if created else "already loaded ") + f"{record.original_name}: {record.describe()}")
                if created:
                    loaded.append(record.original_name)
            except RegisterError as error:
                failed.append(str(error))
            progress.advance(task)
    for reason in failed:
        click.echo(reason, err=True)
    _reanalyse_after(loaded)
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(files)} files were not loaded")


def _reanalyse_after(loaded: list[str]) -> None:
    """Every council's spend analysed again by the platform's worker, as registers were loaded from here."""
    if not loaded:
        return
    from keepitlocal.spend.registers import reanalyse_all

    if reanalyse_all(f"{', '.join(loaded)} loaded from the command line") is not None:
        click.echo("Every council's spend will be analysed again with these registers (by the platform's worker)")


@registers.command("fetch")
@click.argument("kinds", nargs=-1)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where downloads are kept (and resumed from); default: the platform's registers folder",
)
@click.option("--mirror", help="Fetch from a mirror holding each publisher's files under its host name, not the publishers")
@click.option("--list", "list_only", is_flag=True, help="List the registers and their publishers' pages, and stop")
def registers_fetch(kinds: tuple[str, ...], folder: Path | None, mirror: str | None, list_only: bool) -> None:
    """Download the latest official registers (KINDS: companies-house, charity-commission, oscr, ccni, postcodes;
    all when none is named), verify them and load them for every analysis."""
    from rich.progress import DownloadColumn, TransferSpeedColumn

    from keepitlocal.spend.engine.publishers import PUBLISHERS, RegisterKind, kind_from_option

    if list_only:
        table = Table(title="Registers fetched from their publishers")
        for heading in ("Kind", "Register", "Publisher", "Page for a download by hand"):
            table.add_column(heading)
        for p in PUBLISHERS:
            table.add_row(p.kind.option, p.title, p.publisher, p.page)
        Console().print(table)
        return
    try:
        chosen = [kind_from_option(k) for k in kinds] or list(RegisterKind)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="KINDS") from None
    _django()
    from keepitlocal.spend.registers import fetch_and_load

    failed = 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        tasks = {kind: progress.add_task(kind.option, total=None) for kind in chosen}

        def advance(kind: RegisterKind, done: int, total: int | None) -> None:
            progress.update(tasks[kind], completed=done, total=total)

        changed = []
        for outcome in fetch_and_load(chosen, folder, mirror, advance):
            if outcome.ok:
                click.echo(f"{outcome.kind.option}: {outcome.message}")
                if outcome.changed:
                    changed.append(outcome.title)
            else:
                failed += 1
                click.echo(f"{outcome.kind.option}: not loaded: {outcome.message}", err=True)
    _reanalyse_after(changed)
    if failed:
        raise click.ClickException(f"{failed} of {len(chosen)} registers were not fetched; the others were loaded")


@main.command("reconcile")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--column", required=True, help="The heading of the column of names, e.g. 'Supplier Name'.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the CSV.")
def reconcile(file: Path, column: str, out: Path) -> None:
    """Find org-ids for a CSV of names: the same file with org-id, name, type, score, certainty and evidence added."""
    _django()
    from keepitlocal.reconcile.services import reconcile_csv

    try:
        done = reconcile_csv(file.read_text(encoding="utf-8-sig", errors="replace"), column, most_rows=None)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    out.write_text(done.text, encoding="utf-8")
    matches = "certain match" if done.matched == 1 else "certain matches"
    click.echo(f"{done.rows:,} names: {done.matched:,} {matches}; written to {out}")


@main.group()
def backup() -> None:
    """Back up and restore the whole platform: tables, uploaded files and register files."""


@backup.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-secret-key", is_flag=True, help="Also keep the secret key (keep such a backup as safe as the live one).")
def backup_create(file: Path, with_secret_key: bool) -> None:
    """Write a backup of this platform to FILE (a zip)."""
    _django()
    from keepitlocal.backup import BackupError, create

    try:
        summary = create(file, with_secret_key)
    except (BackupError, OSError) as error:
        raise click.ClickException(f"Cannot write the backup: {error}") from None
    click.echo(
        f"Backed up {sum(summary.tables.values()):,} rows in {len(summary.tables)} tables and {summary.files} files to {file} ({summary.bytes / 1e6:,.1f} MB)"
    )


@backup.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The secret key file (var/secret_key) of the platform that made the backup, to check its signature with.",
)
@click.option("--trust", default="", help='Restore a backup whose signature cannot be checked: say "I trust this backup".')
def backup_restore(file: Path, key_file: Path | None, trust: str) -> None:
    """Restore the backup FILE into this platform, which must be empty (a new database and var folder). The backup's
    signature is checked with this platform's secret key, or the key file given."""
    _django()
    from keepitlocal.backup import BackupError, restore

    try:
        summary = restore(file, key=key_file.read_text().strip() if key_file else None, trust=trust)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {sum(summary.tables.values()):,} rows in {len(summary.tables)} tables and {summary.files} files from {file}; every count and checksum matches"
    )


@main.command("manage", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, for example `kil manage migrate`."""
    from keepitlocal.manage import main as django_main

    django_main(["kil manage", *args])


if __name__ == "__main__":
    sys.exit(main())
