"""Signed checkpoints of the audit chain, kept outside the database: taken and checked (`signed`), and
delivered to the operator's targets on a schedule and on demand (`delivery`)."""

from opencsms.core.checkpoints.delivery import deliver_due, deliver_now
from opencsms.core.checkpoints.signed import (
    checkpoint_problems,
    read_checkpoint,
    take_checkpoint,
    write_checkpoint,
)

__all__ = [
    "checkpoint_problems",
    "deliver_due",
    "deliver_now",
    "read_checkpoint",
    "take_checkpoint",
    "write_checkpoint",
]
