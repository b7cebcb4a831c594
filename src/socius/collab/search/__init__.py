"""Search over the social network, one backend per database vendor."""

from socius.collab.search.query import QueryTooShort, SearchQuery, parse_query
from socius.collab.search.service import (
    ALL_KINDS,
    Kind,
    SearchGroup,
    SearchHit,
    SearchResults,
    parse_kinds,
    people_search,
    search,
)

__all__ = [
    "ALL_KINDS",
    "Kind",
    "QueryTooShort",
    "SearchGroup",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "parse_kinds",
    "parse_query",
    "people_search",
    "search",
]
