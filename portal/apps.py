from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Chat Channel Studio portal")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal.permissions import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)

        from portal.auth_backends import connect_signals

        connect_signals()

        from portal import sign_in

        sign_in.connect_lockouts()

        from django.contrib.auth.signals import user_logged_in

        from portal.sessions import forget_signed_out

        user_logged_in.connect(forget_signed_out, dispatch_uid="portal.sessions.forget_signed_out")
