"""No page scrolls sideways, at 375 px (a phone) or at 1280 px (a laptop): wide tables scroll inside their own box; and
axe-core finds no WCAG 2.2 A or AA failure on any of them.

The test follows every link it finds from each role's home, as that role (the public, a council editor, a community
organisation and the network team), measures each page at both widths and checks it with axe: every page the crawl
reaches, not a hand list (test_accessibility adds the error states and pages no link leads to)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.test_accessibility import check, sign_in

pytestmark = pytest.mark.e2e

WIDTHS = (375, 1280)
MOST_PAGES = 120  # per role: every kind of page is reached well before this
SKIP = ("/account/sign-out", "/admin", "/static/", "/api/", "/reconcile/view/", "/reconcile/preview")
DOWNLOADS = (".pdf", ".zip", ".csv", ".xlsx", ".json", ".gexf", ".graphml")


def _wanted(url: str, base: str) -> str | None:
    url = urldefrag(url)[0]
    if not url.startswith(base):
        return None
    path = url[len(base) :]
    parsed = urlparse(path)
    if parsed.path.startswith(SKIP) or parsed.path.endswith(DOWNLOADS) or "format=" in parsed.query or "/respond/" in parsed.path:
        return None
    return path


def overflowing(page: Any, base: str, start: list[str], inaccessible: list[str] | None = None) -> list[str]:
    """Crawls from `start`, returning each page that scrolls sideways at a width, with its widest element; each page's
    axe failures go into `inaccessible` when it is given."""
    seen: set[str] = set()
    shapes: set[str] = set()  # a path without its query: one or two variants of a listing are enough
    queue = list(start)
    found: list[str] = []
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        shape = urlparse(path).path + ("?" if urlparse(path).query else "")
        if path in seen or (urlparse(path).query and shape in shapes):
            continue
        seen.add(path)
        shapes.add(shape)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            try:
                response = page.goto(base + path)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    break  # a file, not a page
                raise
            if response is None or response.status >= 400 or "html" not in (response.headers.get("content-type") or ""):
                break
            excess = page.evaluate(
                """() => {
                    const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
                    if (over <= 1) return null;
                    let widest = null, right = 0;
                    for (const el of document.body.querySelectorAll('*')) {
                        const r = el.getBoundingClientRect();
                        if (r.right > right && !el.closest('.kil-table-scroll')) { right = r.right; widest = el; }
                    }
                    const name = widest ? widest.tagName.toLowerCase() + (widest.className ? '.' + String(widest.className).split(' ').join('.') : '') : '';
                    return over + 'px wider, widest: ' + name;
                }"""
            )
            if excess:
                found.append(f"{path} at {width}px: {excess}")
            if inaccessible is not None and width == WIDTHS[-1]:
                inaccessible += check(page, "", base)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            wanted = _wanted(href, base)
            if wanted and wanted not in seen:
                queue.append(wanted)
    return found


def _watching(page: Any, refused: list[str]) -> Any:
    # Anything the Content-Security-Policy refuses (an inline script or style without the nonce) is logged by Chromium.
    page.on("console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None)
    return page


def test_no_page_scrolls_sideways_or_fails_axe_for_any_role(browser: Any, demo_server: str) -> None:
    """Also: no page breaks its Content-Security-Policy (web.middleware)."""
    found: list[str] = []
    refused: list[str] = []
    inaccessible: list[str] = []
    page = _watching(browser.new_context().new_page(), refused)
    found += overflowing(
        page, demo_server, ["/", "/councils/E08000033/", "/compare/spend/", "/councils/E08000033/directory/"], inaccessible
    )
    for email, start in (
        ("editor@calderdale.example", ["/dashboard/", "/manage/councils/E08000033/"]),
        ("org@example.org", ["/dashboard/"]),
        ("admin@example.org", ["/dashboard/", "/network/"]),
    ):
        page = _watching(browser.new_context().new_page(), refused)
        sign_in(page, demo_server, email)
        found += overflowing(page, demo_server, start, inaccessible)
    assert found == [], "\n".join(found)
    assert refused == [], "\n".join(refused)
    assert inaccessible == [], "\n\n".join(inaccessible)


def test_the_comparison_table_fits_a_laptop_screen_without_scrolling(browser: Any, demo_server: str) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(demo_server + "/compare/spend/")
    region = page.locator(".kil-table-scroll").first
    hidden = region.evaluate("el => el.scrollWidth - el.clientWidth")
    assert hidden <= 1, f"the comparison table hides {hidden}px to the side at 1280px"
