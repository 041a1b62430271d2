"""Reads of the documents app: who may do what (``access``), a subject's dossier
(``dossier``) and the registers of outgoing documents (``registers``)."""
