"""Incident response (ISO/SAE 21434 clause 13; UNECE R155 7.2.2.2 (g), (h) and 7.4): docs/incidents.md."""
