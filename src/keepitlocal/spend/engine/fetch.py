"""Download the latest edition of each official register from its publisher (publishers.py): find it, download it
(resuming a download cut short), verify it (archive integrity, the header of the register it should be), and record
where and when it came from. Pure Python (urllib): usable from the CLI, a task worker or a notebook.

A mirror (`mirror=`) serves every publisher's files from one address, each under the publisher's host name
(http://mirror/download.companieshouse.gov.uk/en_output.html): for a network with its own copy, and for tests.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import logging
import re
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from keepitlocal.common.files import sha256_of
from keepitlocal.spend.engine.publishers import ArcGisSearch, Direct, LinkOnPage, Publisher, RegisterKind

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
TIMEOUT = 60
USER_AGENT = "keepitlocal-register-fetch/1 (+https://github.com/keepitlocal)"
Progress = Callable[[int, int | None], None]  # bytes so far, total bytes when known


class FetchError(RuntimeError):
    """A register could not be fetched or is not what its publisher should publish; the message says why."""


@dataclass(frozen=True)
class Edition:
    url: str
    name: str  # the file name to store it under
    edition: date | None  # the date the publisher gives the edition, where it gives one


@dataclass(frozen=True)
class Fetched:
    """A verified register file on disk and where it came from."""

    kind: RegisterKind
    path: Path
    source_url: str
    page: str
    edition: date | None
    fetched_at: datetime
    size: int
    sha256: str
    header: list[str]
    resumed: bool

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            kind=self.kind.value,
            path=str(self.path),
            edition=self.edition.isoformat() if self.edition else None,
            fetched_at=self.fetched_at.isoformat(),
        )
        return data


def rebase(url: str, mirror: str | None) -> str:
    """The address of `url` on a mirror: its host becomes the first part of the path."""
    if not mirror:
        return url
    parts = urllib.parse.urlsplit(url)
    base = mirror.rstrip("/")
    return f"{base}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _open(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310 - https or a chosen mirror
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)  # noqa: S310
    except OSError as error:
        raise FetchError(f"could not reach {url}: {error}") from error


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]


def _date(text: str) -> date | None:
    """A date as publishers write it in file names and titles: 2026-11-01, November 2026, NOV_2026."""
    for fmt in ("%Y-%m-%d", "%B %Y", "%b %Y", "%b_%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def find_latest(source: Publisher, mirror: str | None = None) -> Edition:
    """The address and date of the publisher's latest edition."""
    finder = source.finder
    if isinstance(finder, Direct):
        url = rebase(finder.url, mirror)
        return Edition(url, _file_name(finder.url, source.kind), None)
    if isinstance(finder, LinkOnPage):
        page = rebase(finder.page, mirror)
        with _open(page) as response:
            parser = _Links()
            parser.feed(response.read().decode("utf-8", errors="replace"))
        found = []
        for link in parser.links:
            match = re.search(finder.pattern, link)
            if match:
                when = _date(match.group("date")) if "date" in match.groupdict() and match.group("date") else None
                # Resolved against the publisher's own page, then moved to the mirror: a link relative to the site's
                # root must keep the publisher's host.
                found.append((when or date.min, rebase(urllib.parse.urljoin(finder.page, link), mirror), when))
        if not found:
            raise FetchError(f"no {source.title} file is linked from {finder.page}; download it from there by hand")
        _, url, when = max(found)
        return Edition(url, _file_name(url, source.kind), when)
    if isinstance(finder, ArcGisSearch):
        with _open(rebase(finder.search, mirror)) as response:
            try:
                results = json.loads(response.read()).get("results", [])
            except ValueError as error:
                raise FetchError(f"the ONS search did not answer in JSON ({error})") from error
        items = []
        for item in results:
            match = re.search(finder.title, str(item.get("title", "")))
            if match:
                when = _date(match.group("date")) if "date" in match.groupdict() else None
                items.append((when or date.min, int(item.get("created") or 0), str(item["id"]), when))
        if not items:
            raise FetchError(f"the ONS search found no {source.title}; download it from {source.page} by hand")
        _, _, ident, when = max(items)
        name = f"{source.kind.value}-{when.isoformat() if when else ident}.zip"
        return Edition(rebase(finder.item_data.format(id=ident), mirror), name, when)
    raise TypeError(finder)


def _file_name(url: str, kind: RegisterKind) -> str:
    name = Path(urllib.parse.urlsplit(url).path).name
    if not re.search(r"\.(zip|csv|txt|gz)$", name, re.IGNORECASE):
        name = f"{kind.value}.csv"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


def download(url: str, target: Path, progress: Progress | None = None) -> tuple[bool, date | None]:
    """Download to `target`, resuming from a partial file left by an earlier attempt (HTTP Range); True when it
    resumed, and the server's Last-Modified date (the edition of a file at a fixed address). The file appears under
    its name only once complete."""
    partial = target.with_name(target.name + ".part")
    done = partial.stat().st_size if partial.exists() else 0
    response = _open(url, {"Range": f"bytes={done}-"} if done else None)
    with response:
        resumed = done > 0 and response.status == 206
        modified = _http_date(response.headers.get("Last-Modified"))
        if not resumed:
            done = 0
        length = response.headers.get("Content-Length")
        total = done + int(length) if length and length.isdigit() else None
        with open(partial, "ab" if resumed else "wb") as out:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            except (OSError, http.client.HTTPException) as error:
                # What arrived is kept: the next attempt asks only for the rest.
                logger.warning("Download of %s interrupted at %s bytes", url, done, exc_info=True)
                raise FetchError(
                    f"the download of {url} stopped at {done:,} bytes ({type(error).__name__}); run the fetch again to resume"
                ) from error
    if total is not None and done < total:
        raise FetchError(f"the download of {url} stopped at {done:,} of {total:,} bytes; run the fetch again to resume")
    partial.replace(target)
    return resumed, modified


def read_header(path: Path) -> list[str]:
    """The first line of the register file (inside its archive if it is one), split into column names."""
    from keepitlocal.spend.engine.registers import data_member

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            try:
                member = data_member(archive)
            except ValueError as error:
                raise FetchError(f"{path.name}: {error}") from None
            with archive.open(member) as handle:
                first = handle.readline(1 << 16)
    else:
        with open(path, "rb") as handle:
            first = handle.readline(1 << 16)
    text = first.decode("utf-8-sig", errors="replace").lstrip("\ufeff")
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def verify(path: Path, kind: RegisterKind) -> list[str]:
    """Check a downloaded file: an archive must be whole, and the header must be that of the register expected.
    Returns the header."""
    from keepitlocal.spend.engine.registers import Registers, normal

    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
        except zipfile.BadZipFile as error:
            raise FetchError(f"{path.name} is not a whole ZIP archive ({error}); run the fetch again") from error
        if broken is not None:
            raise FetchError(f"{path.name} is damaged ({broken} fails its check); run the fetch again")
    header = read_header(path)
    found = Registers.recognise({normal(h): h.strip() for h in header})
    if found != kind.value:
        shown = ", ".join(header[:6]) or "nothing"
        raise FetchError(
            f"{path.name} does not have the columns of the {kind.option} register (its header starts {shown}); "
            "the publisher may have changed the layout"
        )
    return header


def fetch(source: Publisher, folder: Path, mirror: str | None = None, progress: Progress | None = None) -> Fetched:
    """Find, download, verify and record the latest edition of one register in `folder`. A file already there under
    the edition's name is verified and kept, not downloaded again; a damaged one is removed."""
    folder.mkdir(parents=True, exist_ok=True)
    edition = find_latest(source, mirror)
    target = folder / edition.name
    resumed = False
    response_date: date | None = None
    if not target.exists() or edition.edition is None:
        resumed, modified = download(edition.url, target, progress)
        response_date = modified if edition.edition is None else None
        if zipfile.is_zipfile(target) and target.suffix.lower() != ".zip":
            # An address that does not name its file ("…/CharityRegDownload"): an archive is stored as one.
            target = target.replace(target.with_suffix(".zip"))
    try:
        header = verify(target, source.kind)
    except FetchError:
        logger.warning("Removing %s: it failed verification", target, exc_info=True)
        target.unlink(missing_ok=True)
        raise
    fetched = Fetched(
        kind=source.kind,
        path=target,
        source_url=edition.url,
        page=source.page,
        edition=edition.edition or response_date,
        fetched_at=datetime.now(UTC),
        size=target.stat().st_size,
        sha256=sha256_of(target),
        header=header,
        resumed=resumed,
    )
    target.with_name(target.name + ".source.json").write_text(json.dumps(fetched.record(), indent=2), encoding="utf-8")
    logger.info("Fetched %s from %s (%s bytes)", source.kind.value, edition.url, f"{fetched.size:,}")
    return fetched


def _http_date(stamp: str | None) -> date | None:
    try:
        return parsedate_to_datetime(stamp).date() if stamp else None
    except (ValueError, TypeError):
        return None
