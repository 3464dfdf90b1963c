from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "onboarding.registration"
    label = "registration"
