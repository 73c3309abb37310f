"""Regular expressions a library profile holds (an alert rule's `regex`, topic terms `re:…`),
run by RE2: its matching takes time linear in the text, so no pattern can hang a worker on one
post, as `(a+)+$` does a backtracking engine. RE2 refuses what would need backtracking
(look-around, back-references), and `profile check` names such a pattern. In RE2, `\\w`, `\\d`
and `\\b` are ASCII; `\\pL` is any letter.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2


class SafePattern:
    """The two operations Murmure needs; spans are in characters, as with `re`."""

    def __init__(self, pattern: str, *, ignore_case: bool = False) -> None:
        options = re2.Options()
        options.log_errors = False  # `profile check` reports refusals; stderr need not
        options.case_sensitive = not ignore_case
        self._compiled: Any = re2.compile(pattern, options)

    def search(self, text: str) -> bool:
        return self._compiled.search(text) is not None

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        for match in self._compiled.finditer(text):
            yield match.span()


@lru_cache(maxsize=256)
def safe_pattern(pattern: str, *, ignore_case: bool = False) -> SafePattern:
    return SafePattern(pattern, ignore_case=ignore_case)


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern`, or None when it can."""
    try:
        SafePattern(pattern)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return (
            f"not a pattern the safe engine (RE2) runs: {reason}; look-around and "
            "back-references are not supported"
        )
    return None
