"""The expected behaviour of the shipped threat rules, part 1: the STRIDE baseline, entry points,
radio links, software updates and keys. Each case builds a firing architecture (`builders.arch`) and lists the
criteria whose absence must stop the rule (`misses`: arch() overrides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_REMOTE = {"where": "remote"}  # the interface belongs to another component than the asset's
UPDATE_CHANNEL = ("update_channel",)


@dataclass(frozen=True)
class Case:
    rule: str
    prop: str
    stride: str
    annex5: tuple[str, ...]
    mitigations: tuple[str, ...]
    name: str
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # every interface kind the rule accepts; the first one builds the case
    setup: dict[str, Any] = field(default_factory=dict)  # further arguments of arch()
    misses: dict[str, dict[str, Any]] = field(default_factory=dict)  # criterion -> arch() overrides

    def kwargs(self, kind: str | None = None) -> dict[str, Any]:
        chosen = kind or (self.kinds[0] if self.kinds else None)
        return {"properties": (self.prop,), "tags": self.tags, "kind": chosen, **self.setup}

    @property
    def expected_id(self) -> str:
        return f"G-{self.rule}-A-1" + ("-IF-X" if self.kinds else "")


def wrong_property(prop: str) -> dict[str, Any]:
    return {"properties": ("availability",) if prop != "availability" else ("integrity",)}


BUSES = ("can", "can_fd", "lin", "flexray", "automotive_ethernet")
CASES_VEHICLE = (
    # -- STRIDE baseline (coverage by other threat scenarios: test_matching.py)
    Case("STRIDE-S", "authenticity", "S", ("6.1",), ("M10",), "Spoofing of Test asset"),
    Case("STRIDE-T", "integrity", "T", ("5.2",), ("M7",), "Tampering with Test asset"),
    Case(
        "STRIDE-R",
        "non_repudiation",
        "R",
        ("21.1",),
        ("M7",),
        "Actions on Test asset denied for lack of evidence",
    ),
    Case("STRIDE-I", "confidentiality", "I", ("7.2",), ("M8",), "Disclosure of Test asset"),
    Case("STRIDE-D", "availability", "D", ("24.1",), ("M13",), "Test asset made unavailable"),
    Case("STRIDE-E", "authorization", "E", ("9.1",), ("M9",), "Unauthorised use of Test asset"),
    # -- entry points
    Case(
        "REMOTE-ENTRY",
        "integrity",
        "T",
        ("5.1", "9.1", "16.2"),
        ("M6", "M9", "M10", "M20"),
        "Remote code execution on Main unit through Test link",
        tags=("firmware",),
        kinds=("cellular", "wifi", "v2x", "internet"),
        misses={
            "asset tag": {"tags": ("key",)},
            "interface kind": {"kind": "bluetooth"},
            "not external": {"external": False},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "SHORT-RANGE-ENTRY",
        "integrity",
        "T",
        ("16.3", "5.1"),
        ("M6", "M10", "M20"),
        "Code execution on Main unit from nearby through Test link",
        tags=("firmware",),
        kinds=("bluetooth", "nfc", "uwb", "rf_key"),
        misses={
            "asset tag": {"tags": ("configuration",)},
            "interface kind": {"kind": "cellular"},
            "not external": {"external": False},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "RELAY-REPLAY",
        "authenticity",
        "S",
        ("16.1", "6.3"),
        ("M10", "M20"),
        "Test asset triggered by relaying or replaying Test link",
        tags=("keyless_access",),
        kinds=("rf_key", "uwb", "nfc", "bluetooth"),
        setup=NOT_REMOTE,
        misses={"asset tag": {"tags": ("remote_function",)}, "interface kind": {"kind": "cellular"}},
    ),
    Case(
        "REMOTE-COMMAND",
        "authenticity",
        "S",
        ("16.1", "16.2"),
        ("M20", "M10"),
        "Test asset triggered by a forged command over Test link",
        tags=("remote_function",),
        kinds=("cellular", "internet"),
        setup=NOT_REMOTE,
        misses={"asset tag": {"tags": ("keyless_access",)}, "interface kind": {"kind": "bluetooth"}},
    ),
    Case(
        "DIAG-ACCESS",
        "integrity",
        "T",
        ("18.3", "11.3"),
        ("M22", "M10"),
        "Test asset changed through diagnostic access on Test link",
        tags=("odometer",),
        kinds=("obd",),
        setup=NOT_REMOTE,
        misses={"asset tag": {"tags": ("firmware",)}, "interface kind": {"kind": "usb"}},
    ),
    Case(
        "DEBUG-OPEN",
        "integrity",
        "T",
        ("28.2",),
        ("M23",),
        "Test asset read or changed through the open debug port Test link",
        tags=("key",),
        kinds=("debug",),
        misses={
            "asset tag": {"tags": ("credential",)},
            "interface kind": {"kind": "usb"},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "DEBUG-EXTRACTION",
        "confidentiality",
        "I",
        ("28.2", "19.3"),
        ("M23", "M11"),
        "Test asset extracted through the open debug port Test link",
        tags=("credential",),
        kinds=("debug",),
        misses={
            "asset tag": {"tags": ("personal_data",)},
            "interface kind": {"kind": "obd"},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "MEDIA-INFECTION",
        "integrity",
        "T",
        ("18.1", "18.2", "10.1"),
        ("M22", "M14"),
        "Main unit infected from media on Test link",
        tags=("firmware",),
        kinds=("usb", "sd_card"),
        misses={
            "asset tag": {"tags": ("key",)},
            "interface kind": {"kind": "obd"},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    # -- radio links
    Case(
        "V2X-FORGED",
        "authenticity",
        "S",
        ("11.2", "4.1", "4.2"),
        ("M10", "M11"),
        "Forged or phantom Test asset received on Test link",
        tags=("v2x_message",),
        kinds=("v2x",),
        misses={
            "asset tag": {"tags": ("message",)},
            "interface kind": {"kind": "cellular"},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "EAVESDROPPING",
        "confidentiality",
        "I",
        ("7.1",),
        ("M12",),
        "Test asset intercepted on Test link",
        tags=("personal_data",),
        kinds=("cellular", "wifi", "bluetooth", "v2x", "internet"),
        misses={
            "asset tag": {"tags": ("key",)},
            "interface kind": {"kind": "can"},
            "interface elsewhere": NOT_REMOTE,
        },
    ),
    Case(
        "RADIO-JAMMING",
        "availability",
        "D",
        ("16.3",),
        ("M20",),
        "Test asset blocked by jamming Test link",
        tags=("keyless_access",),
        kinds=("rf_key", "uwb", "nfc", "bluetooth", "cellular"),
        setup=NOT_REMOTE,
        misses={
            "asset tag": {"tags": ("message",)},
            "interface kind": {"kind": "wifi"},
            "not external": {"external": False},
        },
    ),
    # -- software updates
    Case(
        "UPDATE-OTA",
        "integrity",
        "T",
        ("12.1",),
        ("M16",),
        "Forged update of Test asset delivered over Test link",
        tags=("update_package",),
        kinds=("cellular", "wifi"),
        setup={"where": "remote", "component_tags": ("update_client",), "interface_tags": UPDATE_CHANNEL},
        misses={
            "component tag": {"component_tags": ()},
            "interface tag": {"interface_tags": ()},
            "asset tag": {"tags": ("key",)},
            "interface kind": {"kind": "usb"},
            "not external": {"external": False},
        },
    ),
    Case(
        "UPDATE-LOCAL",
        "integrity",
        "T",
        ("12.2",),
        ("M16",),
        "Forged software for Main unit installed through Test link",
        tags=("firmware",),
        kinds=("obd", "usb"),
        setup={"where": "remote", "component_tags": ("update_client",), "interface_tags": UPDATE_CHANNEL},
        misses={
            "component tag": {"component_tags": ("app_platform",)},
            "interface tag": {"interface_tags": ()},
            "asset tag": {"tags": ("update_package",)},
            "interface kind": {"kind": "cellular"},
        },
    ),
    Case(
        "UPDATE-ROLLBACK",
        "integrity",
        "T",
        ("6.3",),
        ("M10", "M16"),
        "Test asset rolled back to an older, vulnerable version",
        tags=("firmware",),
        setup={"component_tags": ("update_client",)},
        misses={
            "component tag": {"component_tags": ()},
            "asset tag": {"tags": ("calibration",)},
            "no component": {"on_component": False},
        },
    ),
    # -- keys
    Case(
        "KEY-EXTRACTION",
        "confidentiality",
        "I",
        ("19.3",),
        ("M11",),
        "Test asset extracted from Main unit",
        tags=("credential",),
        misses={"asset tag": {"tags": ("personal_data",)}},
    ),
    Case(
        "WEAK-CRYPTO",
        "confidentiality",
        "I",
        ("26.1", "26.2", "26.3"),
        ("M23",),
        "Test asset broken because of weak or deprecated cryptography",
        tags=("key",),
        misses={"asset tag": {"tags": ("credential",)}},
    ),
)
