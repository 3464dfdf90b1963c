"""Celery tasks of the kyc app: each takes an id, loads the row through a service, and always ends in a
recorded outcome (a result, or a failure the user is told about)."""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from onboarding.kyc import catalog, services

logger = logging.getLogger(__name__)

OCR_MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    # 5 s, 10 s, 20 s ... capped at 5 minutes, with jitter so a backend outage does not get a thundering herd.
    return int(min(300, 5 * 2**retries) * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


@shared_task(bind=True, max_retries=OCR_MAX_RETRIES, acks_late=True)  # type: ignore[untyped-decorator]
def verification_run_ocr(self: Any, verification_id: int) -> str:
    """Read a verification's photos; retry transient backend errors, record any other end."""
    try:
        verification = services.verification_process_ocr(verification_id=verification_id)
    except services.TransientOcrError as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("OCR for verification %s gave up after retries: %s", verification_id, exc)
            services.verification_fail_ocr(
                verification_id=verification_id, explained=catalog.OCR_UNAVAILABLE, detail=exc.code
            )
            return "failed"
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-task (failover, restart): nothing was stored, so try again later
        # rather than telling the user their photo was bad.
        close_old_connections()
        if self.request.retries >= self.max_retries:
            logger.warning("OCR for verification %s gave up: database unavailable", verification_id)
            raise
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    except Exception as exc:
        # A bug or an unexpected backend answer must still leave the case in a state the user can act on.
        logger.exception("OCR for verification %s failed", verification_id)
        services.verification_fail_ocr(
            verification_id=verification_id, explained=catalog.OCR_FAILED, detail=type(exc).__name__
        )
        return "failed"
    return verification.state if verification is not None else "missing"


@shared_task  # type: ignore[untyped-decorator]
def verification_expire_stale_drafts() -> int:
    return services.verification_expire_stale_drafts()


@shared_task  # type: ignore[untyped-decorator]
def verification_requeue_stuck() -> int:
    return services.verification_requeue_stuck()


@shared_task  # type: ignore[untyped-decorator]
def verification_purge_images() -> int:
    return services.verification_purge_images(older_than_days=settings.KYC_IMAGE_RETENTION_DAYS)
