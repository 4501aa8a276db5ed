"""Analyses of a TARA model: attack paths through the architecture, and UN R155 Annex 5 coverage."""
