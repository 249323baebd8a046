"""Pagination for every list: numbered pages by default, cursors for large append-only lists."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``: 50 a page unless asked, never more than 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """Opaque ``?cursor=`` links, newest first: stable under inserts, for large append-only lists.

    The ordering must be unique and unchanging; views whose model has a creation timestamp may set
    ``ordering = "-created_at"`` on a subclass.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
