from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "onboarding.partners"
    label = "partners"
