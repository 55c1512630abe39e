import os

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_delete


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = "MLOps maturity"

    def ready(self) -> None:
        # Every process (web, worker, beat, commands) refuses to start with a network setting
        # it would otherwise only trip over at the first scan.
        from django.conf import settings

        from .models import Result
        from .services.organization_months import recount_after_result_deleted
        from .services.scans import allowed_networks

        # The organisations' monthly counts follow results deleted by any path (see there).
        post_delete.connect(
            recount_after_result_deleted, sender=Result, dispatch_uid="organization_months"
        )

        try:
            allowed_networks()
        except ValueError as error:
            raise ImproperlyConfigured(f"SCAN_ALLOWED_NETWORKS: {error}") from None
        if settings.SCAN_CA_BUNDLE and not os.path.isfile(settings.SCAN_CA_BUNDLE):
            raise ImproperlyConfigured(
                f"SCAN_CA_BUNDLE: {settings.SCAN_CA_BUNDLE} is not a file of certificates."
            )
