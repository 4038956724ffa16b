"""The Django admin (``/beheer/``) with an audit row for every look at a record and every change.

Every model registered in the admin, ours and those of django-otp and django-axes, gets the
``AuditedAdmin`` mixin (``AuditedAdminSite.register``): opening a list (``<app>.<model>.listed``,
or ``.searched`` with a search term, which itself is not kept: it may be an e-mail address),
opening a record, its history or its delete confirmation (``.viewed``), and adding, changing and
deleting (``.created`` / ``.changed`` / ``.deleted``, next to Django's own admin log). A model
whose changes go through an audited service (consent) sets ``audit_changes = False`` so that a
change is in the trail once. Access to the admin itself stays admin-only with a second factor
(``config/urls.py``, ``accounts.middleware``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import unquote

from mantelzorg.core import audit

PURPOSE = "platform administration"


def _subject(obj):
    """Whom a record is about: a user is about themself; otherwise its grantor, user or owner."""
    if obj is None:
        return None
    if obj._meta.label_lower == "accounts.user":
        return obj.pk
    for name in ("grantor_id", "user_id", "owner_id", "subject_id"):
        value = getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return None


class AuditedAdmin:
    # Put in front of the model's own admin class, so ``audit_changes`` (default True) is read
    # from that class, never set here.

    def _audit(self, request, event, *, obj=None, object_id="", purpose=PURPOSE):
        audit.log(
            request=request,
            action=f"{self.opts.app_label}.{self.opts.model_name}.{event}",
            obj=obj,
            object_type=self.opts.label_lower,
            object_id=str(object_id),
            subject=_subject(obj),
            purpose=purpose,
        )

    def _audit_read(self, request, response, event, *, object_id=None, purpose=PURPOSE):
        if request.method != "GET" or response.status_code != 200:
            return response
        obj = self.get_object(request, unquote(object_id)) if object_id is not None else None
        self._audit(request, event, obj=obj, object_id=object_id or "", purpose=purpose)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        event = "searched" if request.GET.get("q") else "listed"
        return self._audit_read(request, response, event)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._audit_read(request, response, "viewed", object_id=object_id)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._audit_read(
            request, response, "viewed", object_id=object_id, purpose=PURPOSE + " (history)"
        )

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self._audit_read(
            request, response, "viewed", object_id=object_id, purpose=PURPOSE + " (delete confirmation)"
        )

    def log_addition(self, request, obj, message):
        if getattr(self, "audit_changes", True):
            self._audit(request, "created", obj=obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if getattr(self, "audit_changes", True):
            self._audit(request, "changed", obj=obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        if getattr(self, "audit_changes", True):
            for obj in queryset:
                self._audit(request, "deleted", obj=obj)
        return super().log_deletions(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(f"Audited{base.__name__}", (AuditedAdmin, base), {"__module__": base.__module__})
        return super().register(model_or_iterable, base, **options)


class AuditedAdminConfig(AdminConfig):
    default_site = "mantelzorg.core.admin_site.AuditedAdminSite"
