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


def test_the_words_of_connections_and_value_are_explained_where_they_are_used(demo: list[str]) -> None:
    from keepitlocal.connections.demo import load_demo_connections
    from keepitlocal.value.demo import load_demo_value
    from keepitlocal.value.models import ValueCase
    from tests.conftest import signed_in_client

    load_demo_connections()
    load_demo_value()
    editor = signed_in_client("editor@calderdale.example")
    area = editor.get("/manage/councils/E08000033/connections/").content.decode()
    value = editor.get("/manage/councils/E08000033/value/").content.decode()
    case = ValueCase.objects.filter(council__gss_code="E08000033").first()
    assert case is not None
    one = editor.get(f"/manage/councils/E08000033/value/{case.pk}/").content.decode()
    glossary = StrictHTMLClient().get("/glossary/").content.decode()
    for page, terms in (
        (area, (Term.BETWEENNESS, Term.CUT_POINT, Term.PAIRS_CUT_OFF)),
        (value, (Term.LOCAL_MULTIPLIER,)),
        (one, (Term.DEADWEIGHT, Term.ATTRIBUTION, Term.OPTIMISM_BIAS, Term.PRESENT_VALUE)),
    ):
        for term in terms:
            assert f'href="/glossary/#{term.value}"' in page and f'id="{term.value}"' in glossary, term
