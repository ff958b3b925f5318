"""The whole demonstration, in one place: `kil load-demo` and `manage.py load_demo` both load it through here, so the
two can never drift apart (one once loaded no assessment). Safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loaded:
    said: list[str]  # what each part loaded, in words
    accounts: list[str]  # the demo accounts, one a line


def load_everything() -> Loaded:
    from keepitlocal.assessment.demo import load_demo_assessment
    from keepitlocal.connections.demo import load_demo_connections
    from keepitlocal.directory.demo import load_demo_directory
    from keepitlocal.network.demo import load_demo
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.value.demo import load_demo_value

    accounts = load_demo()
    said = []
    for loaded, words in (
        (load_demo_spend, "Demo spend for Calderdale, Bristol and Leeds generated, analysed and published"),
        (load_demo_assessment, "Demo assessments: Calderdale's three rounds and action plan, and seven peers sharing results"),
        (
            load_demo_connections,
            "Demo maps of connections: seven community organisations, shared with Calderdale, Bristol and Leeds",
        ),
        (load_demo_value, "Demo value case: Calderdale's community domestic abuse service, from cited unit costs"),
        (
            load_demo_directory,
            "Demo directory: Calderdale's organisations, services and community assets, read from an ORUK feed",
        ),
    ):
        if loaded():
            said.append(words)
    return Loaded(said, accounts)
