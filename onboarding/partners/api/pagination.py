"""Cursor paging for every list of the partner API: stable under inserts, opaque `next`/`previous` links."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class NewestFirstCursorPagination(CursorPagination):
    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a bad cursor with 404; it is a bad parameter, so 400 in the validation shape.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["Invalid cursor; use the next/previous links as given."]}
            ) from None


class VerificationCursorPagination(NewestFirstCursorPagination):
    ordering = "-created"  # kyc.Verification's column
