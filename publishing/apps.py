from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """Moving a revision between the portal and an environment: the mapping, publishing and its task.

    The models it works on (``Channel``, ``Revision``, ``PublishAttempt``) stay in the wizard app, whose
    migrations created them: moving a model between apps would need a state-only migration on both sides
    for no gain to anyone using the portal.
    """

    name = "publishing"
    verbose_name = _("Publishing")
