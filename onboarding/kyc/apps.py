from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "onboarding.kyc"
    label = "kyc"
