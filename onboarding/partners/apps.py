from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "onboarding.partners"
    label = "partners"

    def ready(self) -> None:
        from onboarding.kyc.signals import verification_event
        from onboarding.partners.receivers import on_verification_event

        # kyc never imports the front doors; the partner API listens to its events instead.
        verification_event.connect(on_verification_event, dispatch_uid="partners.webhooks")
