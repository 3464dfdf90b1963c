"""Cursor paging for every list of the partner API: stable under inserts, opaque `next`/`previous` links."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class VerificationCursorPagination(NewestFirstCursorPagination):
    ordering = "-created"  # kyc.Verification's column
