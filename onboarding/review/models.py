"""The review console's own permission, held by a model without a table."""

from __future__ import annotations

from django.db import models


class ReviewConsole(models.Model):
    """No rows, no table: it exists so that ``review.access_console`` is a real, assignable permission.

    The reviewer role is the ``reviewers`` group holding this permission and ``kyc.view_personal_data``;
    other staff can sign in to the admin but get 403 here.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = (("access_console", "Can use the review console"),)

    def __str__(self) -> str:
        return "review console"
