"""A long regular expression asked only of the texts it could match.

Python's `re` tries every alternative of a long alternation at every position of a text: the name rules that tell a
public body or a voluntary organisation by its name (hundreds of words) took most of the time spent classifying a
council's suppliers. Every match of such a pattern contains at least one of a set of plain strings, worked out here
from the pattern itself (its literal runs, and the alternatives of its groups); a text holding none of them cannot
match, and is not searched. The answer is always the pattern's own: the strings only rule texts out.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# The parser Python's own `re` compiles with (private modules: typeshed does not describe them; the public aliases
# sre_parse and sre_constants warn that they are going).
sre_parse: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

# Zero-width items: they consume nothing, so the characters either side of them are adjacent in a match.
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
SHORTEST = 2  # strings shorter than this rule out too little to be worth asking


def required(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings at least one of which every match of `pattern` contains (None when no useful set can be told: a
    pattern that ignores case, or one with an alternative holding no plain string of SHORTEST characters)."""
    if pattern.flags & re.IGNORECASE:
        return None
    return _need(list(sre_parse.parse(pattern.pattern, pattern.flags)))


def _need_any(alternatives: Sequence[Any]) -> frozenset[str] | None:
    found: set[str] = set()
    for alternative in alternatives:
        need = _need(list(alternative))
        if need is None:
            return None  # one alternative could match without any known string
        found |= need
    return frozenset(found)


def _need(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best set of strings one of which a match of this sequence must contain: each literal run is such a set of
    one, a group of alternatives the union of theirs, a repeat at least once its body's; the set whose shortest string
    is longest is kept."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, argument in items:
        if op is sre.LITERAL:
            run += chr(argument)
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            candidates.append(frozenset([run]))
            run = ""
        need: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            body = list(argument[3])
            need = _need_any(body[0][1][1]) if len(body) == 1 and body[0][0] is sre.BRANCH else _need(body)
        elif op is sre.BRANCH:
            need = _need_any(argument[1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and argument[0] >= 1:
            need = _need(list(argument[2]))
        if need:
            candidates.append(need)
    if run:
        candidates.append(frozenset([run]))
    useful = [c for c in candidates if min(map(len, c)) >= SHORTEST]
    return max(useful, key=lambda c: (min(map(len, c)), -len(c))) if useful else None


def alternatives(pattern: re.Pattern[str]) -> list[str]:
    """The pattern's top-level alternatives as written (`a|b(c|d)|e` → `a`, `b(c|d)`, `e`), or the whole pattern as
    one when it cannot safely be split (verbose patterns, back-references, or a split that Python's own parser does not
    confirm). Each alternative matches on its own exactly where it matched as part of the whole."""
    source = pattern.pattern
    if pattern.flags & re.VERBOSE or re.search(r"\\[1-9]|\(\?P=", source):
        return [source]
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            # A ']' straight after '[' or '[^' is a character of the class, not its end.
            j = i + 1 + (source[i + 1 : i + 2] == "^")
            if source[j : j + 1] == "]":
                i = j
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    tree = list(sre_parse.parse(source, pattern.flags))
    told = len(tree[0][1][1]) if len(tree) == 1 and tree[0][0] is sre.BRANCH else 1
    return parts if told == len(parts) else [source]


class Prefiltered:
    """A compiled pattern whose `matches` first asks whether the text holds any string every match must contain (one
    search for all of them), and then only the alternatives of the pattern that need a string the text holds."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.strings = tuple(sorted(required(pattern) or ()))
        self._always = not self.strings
        # Longest first: an alternation of plain strings is searched for in one pass, about twice as fast as asking
        # `in` of each string.
        self._any = re.compile("|".join(map(re.escape, sorted(self.strings, key=lambda s: (-len(s), s)))))
        needed: dict[str, list[str]] = {string: [] for string in self.strings}
        for alternative in alternatives(pattern) if self.strings else []:
            need = required(re.compile(alternative, pattern.flags))
            # Every alternative needs some of the pattern's strings (else the pattern would need none); one that needs
            # a set this split cannot tell is asked whenever any string is there.
            for string in need if need is not None and need <= set(self.strings) else self.strings:
                needed[string].append(alternative)
        self._by_string = tuple((string, re.compile("|".join(alts), pattern.flags)) for string, alts in needed.items() if alts)

    def matches(self, text: str) -> bool:
        """Whether the pattern is found anywhere in `text` (as bool(pattern.search(text)))."""
        if self._always:
            return self.pattern.search(text) is not None
        if self._any.search(text) is None:
            return False
        return any(string in text and rx.search(text) is not None for string, rx in self._by_string)
