"""The glossary explains every term once, and the pages that use the terms link to it."""

from __future__ import annotations

import pytest

from keepitlocal.web.glossary import Term
from tests.conftest import StrictHTMLClient

pytestmark = pytest.mark.django_db


def test_every_term_has_its_entry_and_the_comparison_links_to_them(demo: list[str]) -> None:
    client = StrictHTMLClient()
    page = client.get("/glossary/").content.decode()
    for term in Term:
        assert f'id="{term.value}"' in page and term.word in page
    assert 'href="/glossary/"' in page  # in every page's footer
    compare = client.get("/compare/spend/").content.decode()
    for anchor in ("#locality", "#coverage", "#vcse"):
        assert f'href="/glossary/{anchor}"' in compare
        assert f'id="{anchor[1:]}"' in page
