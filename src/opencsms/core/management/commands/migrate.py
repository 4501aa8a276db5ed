"""Django's `migrate`, first carrying a database made before an app rename over to the new label."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from opencsms.core import renames


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Tables and history of renamed apps are carried over first."

    def handle(self, *args: Any, **options: Any) -> None:
        for carried in renames.carry_over(connections[options["database"]]):
            self.stdout.write(str(carried))
        super().handle(*args, **options)
