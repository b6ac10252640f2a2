"""The API's JSON parser: DRF's, with a limit on nesting. Python's decoder gives up with a
RecursionError at about a thousand levels, which DRF does not catch (a 500); and nothing this API
reads is nested more than a few levels, so anything much deeper is refused early and clearly."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _too_deep(data: Any, limit: int) -> bool:
    # Iterative: the check itself must not recurse as deep as the document.
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _refusal() -> ParseError:
    return ParseError(f"the JSON is nested more than {MAX_DEPTH} levels deep")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _refusal() from None
        if _too_deep(data, MAX_DEPTH):
            raise _refusal()
        return data
