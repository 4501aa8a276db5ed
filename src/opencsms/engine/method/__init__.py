"""Method profiles: the rating tables of ISO/SAE 21434 and of alternative methods, loaded from data."""

from opencsms.engine.method.load import SHIPPED_PROFILES, load_profile
from opencsms.engine.method.profile import MethodProfile

__all__ = ["SHIPPED_PROFILES", "MethodProfile", "load_profile"]
