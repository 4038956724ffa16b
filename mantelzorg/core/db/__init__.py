"""Thin database backends: Django's own, plus the audit-log replay after a rollback."""
