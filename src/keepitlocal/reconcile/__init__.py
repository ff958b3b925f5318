"""Reconciliation: organisation names to org-ids, as a W3C Reconciliation API service, a page and a command."""
