from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WizardConfig(AppConfig):
    name = "wizard"
    verbose_name = _("Chat channels")

    def ready(self) -> None:
        from wizard import (
            checks,  # noqa: F401  (registers the wizard's system checks)
            signed_out,  # noqa: F401  (connects its sign-in receiver)
        )
