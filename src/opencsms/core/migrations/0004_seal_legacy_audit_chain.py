"""Data migration: start the keyed audit chain after the records hashed without a key (core.audit_hash)."""

from typing import Any

from django.db import migrations


def seal(apps: Any, schema_editor: Any) -> None:
    from opencsms.core.audit_hash import seal_legacy_chain

    seal_legacy_chain(
        apps.get_model("core", "ChangeRecord"), apps.get_model("core", "AuditChainHead"), apps.get_model("core", "User")
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_head_signature")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
