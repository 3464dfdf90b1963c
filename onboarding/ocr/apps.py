from django.apps import AppConfig


class OcrConfig(AppConfig):
    name = "onboarding.ocr"
    label = "ocr"
