"""A map from a file of any kind the platform reads, told apart by its name: a Kumu workbook (.xlsx), a Kumu
blueprint (.json) or GEXF (.gexf). The CLI and the platform's import both read through here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from keepitlocal.connections.engine import gephi, kumu
from keepitlocal.connections.engine.model import Network, size_problems
from keepitlocal.connections.engine.problems import ImportRejected, Problem


def read_file(name: str, data: bytes, known: Iterable[str] = ()) -> Network:
    """`known`: labels of elements already on the map the file goes into, which its connections may name without
    listing them (Kumu layouts only: a GEXF edge always names one of the file's own nodes). A file holding more than
    one map may is refused whole (model.MAX_ELEMENTS, MAX_CONNECTIONS)."""
    network = _read(name, data, known)
    problems = size_problems(len(network.elements), len(network.connections), "This file")
    if problems:
        raise ImportRejected([Problem("", 0, "", "", message) for message in problems])
    return network


def _read(name: str, data: bytes, known: Iterable[str]) -> Network:
    suffix = PurePath(name).suffix.casefold()
    if suffix == ".xlsx":
        return kumu.read_workbook(data, known)
    if suffix == ".json":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([Problem("", 0, "", "", "This file is not UTF-8 JSON.")]) from None
        return kumu.read_blueprint(text, known)
    if suffix == ".gexf":
        return gephi.read_gexf(data)
    raise ImportRejected([Problem("", 0, "", name, "Choose a Kumu workbook (.xlsx), a Kumu blueprint (.json) or GEXF (.gexf).")])
