"""What the server reads and fetches on behalf of its users, by the operator's policy.

An organisation administrator names advisory sources (a folder on the server or a feed URL) that the worker
reads, and the operator names a webhook that notifications are posted to. Without a policy an advisory
source could read any file of the server or reach any internal service (server-side request forgery).
`policy` checks paths and URLs against `settings.OUTBOUND` (`OPENCSMS_SOURCE_DIRECTORIES`,
`OPENCSMS_OUTBOUND_ALLOW_HOSTS`, `OPENCSMS_OUTBOUND_MAX_BYTES`, `OPENCSMS_OUTBOUND_TIMEOUT`); `client`
makes the requests: to the addresses checked (no second DNS answer), each redirect checked again, within
the size and time limits. A refusal is `Refused`, an `Invalid` naming the problem.
"""

from opencsms.core.outbound.client import fetch, post, submit
from opencsms.core.outbound.policy import (
    Policy,
    Refused,
    allowing,
    checked_folder,
    checked_path,
    checked_url,
    current,
)
from opencsms.core.outbound.webhook import SIGNATURE_HEADER, post_json, signature

__all__ = [
    "SIGNATURE_HEADER",
    "Policy",
    "Refused",
    "allowing",
    "checked_folder",
    "checked_path",
    "checked_url",
    "current",
    "fetch",
    "post",
    "post_json",
    "signature",
    "submit",
]
