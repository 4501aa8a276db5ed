"""Catalogues shipped as data: the TARA vocabulary, UN R155 Annex 5 and the ISO/SAE 21434 work products."""

from opencsms.engine.catalogue.load import annex5, attack_hops, vocabulary, work_products

__all__ = ["annex5", "attack_hops", "vocabulary", "work_products"]
