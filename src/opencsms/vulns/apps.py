"""Django app configuration of `opencsms.vulns`."""

from __future__ import annotations

from django.apps import AppConfig

from opencsms.core import notices
from opencsms.core.navigation import register


class VulnsConfig(AppConfig):
    name = "opencsms.vulns"
    label = "vulns"
    verbose_name = "OpenCSMS vulnerability monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencsms.core import schedule  # noqa: PLC0415 (it reads the models: once they are loaded)
        from opencsms.vulns.navigation import LINKS  # noqa: PLC0415 (it reads the models: once they are loaded)
        from opencsms.vulns.services.acceptance import HOOK, acceptance_hook  # noqa: PLC0415 (models loaded)
        from opencsms.vulns.services.escalation import escalation_hook  # noqa: PLC0415 (models loaded)
        from opencsms.vulns.services.notifications import send_notice  # noqa: PLC0415 (models loaded)
        from opencsms.vulns.services.syncs import enqueue_due_syncs  # noqa: PLC0415 (models loaded)

        register(*LINKS)
        notices.register(send_notice)
        schedule.register(HOOK, acceptance_hook)
        schedule.register("vulns.sla_escalation", escalation_hook)  # overdue findings past the SLA's delay
        schedule.register("vulns.source_syncs", enqueue_due_syncs)  # each source's scheduled sync
