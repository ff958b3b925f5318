"""A local stand-in for the register publishers: small files in each publisher's official layout (header, delimiter,
archive shape, the page or search that links them), served over HTTP the way a mirror serves them, each under its
publisher's host name. It honours Range requests (to test resuming), can cut a download short once, and can serve a
damaged archive, so that every path of `kil registers fetch` is exercised without the network."""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CH_HEADER = [
    "CompanyName",
    " CompanyNumber",
    "RegAddress.CareOf",
    "RegAddress.POBox",
    "RegAddress.AddressLine1",
    " RegAddress.AddressLine2",
    "RegAddress.PostTown",
    "RegAddress.County",
    "RegAddress.Country",
    "RegAddress.PostCode",
    "CompanyCategory",
    "CompanyStatus",
    "CountryOfOrigin",
    "DissolutionDate",
    "IncorporationDate",
]
CCEW_HEADER = [
    "date_of_extract",
    "organisation_number",
    "registered_charity_number",
    "linked_charity_number",
    "charity_name",
    "charity_type",
    "charity_registration_status",
    "date_of_registration",
    "date_of_removal",
    "charity_reporting_status",
    "charity_contact_address1",
    "charity_contact_postcode",
    "charity_contact_phone",
    "charity_contact_email",
    "charity_contact_web",
    "charity_company_registration_number",
    "charity_is_cio",
]
OSCR_HEADER = [
    "Charity Number",
    "Charity Name",
    "Registered Date",
    "Known As",
    "Charity Status",
    "Postcode",
    "Constitutional Form",
    "Previous Constitutional Form 1",
    "Geographical Spread",
    "Main Operating Location",
    "Purposes",
    "Beneficiaries",
]
CCNI_HEADER = [
    "Reg charity number",
    "Sub charity number",
    "Charity name",
    "Date registered",
    "Status",
    "Date for financial year ending",
    "Total income",
    "Total spending",
    "Public address",
    "Website",
    "Email",
    "Telephone",
    "Company number",
]
NSPL_HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa21",
    "cty",
    "laua",
    "ward",
    "rgn",
]


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def companies_house_zip(day: str) -> bytes:
    rows = [
        [
            "CALDER VALLEY HUB CIC",
            "12345678",
            "",
            "",
            "1 MILL LANE",
            "",
            "HEBDEN BRIDGE",
            "",
            "",
            "HX7 8AD",
            "Community Interest Company",
            "Active",
            "United Kingdom",
            "",
            "01/04/2015",
        ],
        [
            "NORTHERN ROADS LIMITED",
            "01234567",
            "",
            "",
            "2 ROAD ST",
            "",
            "LEEDS",
            "",
            "",
            "LS1 1AA",
            "Private Limited Company",
            "Active",
            "United Kingdom",
            "",
            "01/01/1990",
        ],
    ]
    # Many rows, so that a download is large enough to cut short and resume.
    rows += [
        [
            f"FILLER COMPANY {n} LIMITED",
            f"{90000000 + n:08d}",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Private Limited Company",
            "Active",
            "United Kingdom",
            "",
            "01/01/2000",
        ]
        for n in range(3000)
    ]
    return _zip({f"BasicCompanyDataAsOneFile-{day}.csv": _csv(CH_HEADER, rows)})


def charity_commission_zip() -> bytes:
    rows = [
        [
            "2026-11-30",
            "1",
            "1123456",
            "0",
            "HALIFAX FOOD BANK",
            "CIO",
            "Registered",
            "2008-01-01",
            "",
            "Submission received",
            "1 Church St",
            "HX1 1AA",
            "",
            "",
            "",
            "",
            "True",
        ],
        [
            "2026-11-30",
            "2",
            "1123456",
            "1",
            "HALIFAX FOOD BANK BRANCH",
            "",
            "Registered",
            "2008-01-01",
            "",
            "",
            "",
            "HX1 1AA",
            "",
            "",
            "",
            "",
            "False",
        ],
        [
            "2026-11-30",
            "3",
            "200001",
            "0",
            "A REMOVED CHARITY",
            "Other",
            "Removed",
            "1962-01-01",
            "2001-01-01",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "False",
        ],
    ]
    return _zip({"publicextract.charity.txt": _csv(CCEW_HEADER, rows, "\t")})


def oscr_zip() -> bytes:
    rows = [["SC012345", "Glasgow Community Larder", "01/01/2010 00:00", "", "Active", "G1 1AA", "SCIO", "", "", "", "", ""]]
    return _zip({"CharityExport-02-Dec-2026.csv": _csv(OSCR_HEADER, rows)})


def ccni_csv() -> bytes:
    rows = [
        [
            "100001",
            "0",
            "Belfast Community Garden",
            "01/01/2015",
            "Registered",
            "31/03/2026",
            "1000",
            "900",
            "1 Garden Rd, Belfast, BT1 1AA",
            "",
            "",
            "",
            "",
        ]
    ]
    return _csv(CCNI_HEADER, rows)


def nspl_zip(month: str) -> bytes:
    rows = [
        ["HX7 8AD", "HX7  8AD", "HX7 8AD", "199001", "", "0", "", "", "1", "", "E99999999", "E08000033", "", "E12000003"],
        ["LS1 1AA", "LS1  1AA", "LS1 1AA", "199001", "", "0", "", "", "1", "", "E99999999", "E08000035", "", "E12000003"],
    ]
    return _zip(
        {
            f"Data/NSPL_{month}_UK.csv": _csv(NSPL_HEADER, rows * 50),
            "Documents/LA_UA names and codes UK as at 04_24.csv": _csv(["LAD24CD", "LAD24NM"], [["E08000033", "Calderdale"]]),
            "User Guide/NSPL User Guide.txt": b"Read me",
        }
    )


def _page(links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{link}">{link.rsplit("/", 1)[-1]}</a></li>' for link in links)
    return f"<!DOCTYPE html><html><body><h1>Downloads</h1><ul>{items}</ul></body></html>".encode()


@dataclass
class Double:
    """The files served, by path on the mirror (host name first), and what to break."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    cut_once: set[str] = field(default_factory=set)  # paths whose first download stops half-way
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Range header) as asked
    url: str = ""

    def serve(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> None:
        self.files[path] = (body, content_type)


def publishers_double() -> Double:
    double = Double()
    ch = "/download.companieshouse.gov.uk"
    double.serve(
        f"{ch}/en_output.html",
        _page(
            [
                "BasicCompanyDataAsOneFile-2026-10-01.zip",
                "BasicCompanyDataAsOneFile-2026-11-01.zip",
                "BasicCompanyData-2026-11-01-part1_7.zip",
            ]
        ),
        "text/html",
    )
    double.serve(f"{ch}/BasicCompanyDataAsOneFile-2026-10-01.zip", companies_house_zip("2026-10-01"))
    double.serve(f"{ch}/BasicCompanyDataAsOneFile-2026-11-01.zip", companies_house_zip("2026-11-01"))
    double.serve("/ccewuksprdoneregsadata1.blob.core.windows.net/data/txt/publicextract.charity.zip", charity_commission_zip())
    oscr = "/www.oscr.org.uk"
    double.serve(
        f"{oscr}/about-charities/search-the-register/charity-register-download",
        _page(["/umbraco/Surface/FormsSurface/CharityRegDownload"]),
        "text/html",
    )
    double.serve(f"{oscr}/umbraco/Surface/FormsSurface/CharityRegDownload", oscr_zip())
    double.serve("/www.charitycommissionni.org.uk/umbraco/api/charityApi/ExportSearchResultsToCsv/", ccni_csv(), "text/csv")
    search: dict[str, Any] = {
        "results": [
            {"id": "nspl-aug", "title": "National Statistics Postcode Lookup (August 2026)", "created": 1},
            {"id": "nspl-nov", "title": "National Statistics Postcode Lookup (November 2026)", "created": 2},
            {"id": "nspl21", "title": "National Statistics Postcode Lookup - 2021 Census (November 2026)", "created": 3},
        ]
    }
    double.serve("/www.arcgis.com/sharing/rest/search", json.dumps(search).encode(), "application/json")
    double.serve("/www.arcgis.com/sharing/rest/content/items/nspl-aug/data", nspl_zip("AUG_2026"))
    double.serve("/www.arcgis.com/sharing/rest/content/items/nspl-nov/data", nspl_zip("NOV_2026"))
    return double


class _Handler(BaseHTTPRequestHandler):
    double: Double

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _found(self) -> tuple[bytes, str] | None:
        path = self.path.split("?", 1)[0]
        return self.double.files.get(path)

    def do_HEAD(self) -> None:
        found = self._found()
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(found[0]) if found else 0))
        self.send_header("Last-Modified", "Mon, 30 Nov 2026 06:00:00 GMT")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        ranged = self.headers.get("Range", "")
        self.double.requests.append((path, ranged))
        found = self._found()
        if found is None:
            self.send_error(404)
            return
        body, content_type = found
        start = int(ranged.removeprefix("bytes=").split("-")[0]) if ranged.startswith("bytes=") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Last-Modified", "Mon, 30 Nov 2026 06:00:00 GMT")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        if path in self.double.cut_once:
            self.double.cut_once.discard(path)
            self.wfile.write(body[start : start + (len(body) - start) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])


@contextmanager
def serving(double: Double | None = None) -> Iterator[Double]:
    """Serve the double on a free local port for the duration of the block; `double.url` is the mirror address."""
    double = double or publishers_double()
    handler = type("Handler", (_Handler,), {"double": double})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
