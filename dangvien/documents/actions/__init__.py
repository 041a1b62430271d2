"""Writes of the documents app, one module per concern: the number register
(``register``), signed scans (``scans``) and the provinces' templates (``templates``).
Import the module you need (``from dangvien.documents.actions.register import
take_number``)."""
