"""`kil load-demo` and `manage.py load_demo` load the same demonstration, every capability's part of it."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from django.core.management import call_command

from keepitlocal.cli import main as kil


@pytest.mark.django_db
def test_both_ways_of_loading_the_demo_load_every_part_of_it() -> None:
    from keepitlocal.assessment.models import Round
    from keepitlocal.connections.models import ConnectionMap
    from keepitlocal.directory.models import DirectoryOrganisation
    from keepitlocal.spend.models import SpendPublication
    from keepitlocal.value.models import ValueCase

    said = io.StringIO()
    call_command("load_demo", stdout=said)
    for part in ("Demo spend", "Demo assessments", "Demo maps", "Demo value case", "Demo directory", "Demo accounts"):
        assert part in said.getvalue(), part
    assert Round.objects.exists() and ConnectionMap.objects.exists() and ValueCase.objects.exists()
    assert DirectoryOrganisation.objects.exists() and SpendPublication.objects.count() == 3
    # kil loads the same (nothing new the second time: safe to run twice) and lists the same accounts.
    again = CliRunner().invoke(kil, ["load-demo"])
    assert again.exit_code == 0, again.output
    accounts = said.getvalue().split("Demo accounts", 1)[1]
    assert again.output.split("Demo accounts", 1)[1] == accounts and "Demo spend" not in again.output
    assert SpendPublication.objects.count() == 3
