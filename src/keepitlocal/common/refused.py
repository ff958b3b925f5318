"""The one refusal every service raises: a request it will not carry out, in words for the person who asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Refused(Exception):
    """`title` names what was refused (a page's heading, an error summary's title); `message` says why and what to do,
    plainly; `problems` lists what was found wrong one by one (a file's rows), when there is such a list."""

    def __init__(self, title: str, message: str, problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.title, self.message, self.problems = title, message, list(problems)
