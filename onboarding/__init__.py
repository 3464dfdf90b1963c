"""KYC onboarding for China's second-generation resident ID card."""

from onboarding.celery import app as celery_app

__all__ = ["celery_app"]
