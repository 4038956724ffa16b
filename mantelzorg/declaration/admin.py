"""Platform administration of declarations: which organisations confirm them (issuers, with their
period of validity) and approving relying parties' registrations. Declarations themselves are not
in the admin: they are the caregiver's, seen only by them and the issuer they chose."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Issuer, RelyingParty


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["organisation", "validity_months", "accepts_requests"]
    list_filter = ["accepts_requests"]
    autocomplete_fields = ["organisation"]


@admin.register(RelyingParty)
class RelyingPartyAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "municipality", "registered_at", "approved_at"]
    list_filter = ["purpose", "approved_at"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality"]
    actions = ["approve"]

    @admin.action(description=_("Approve: caregivers see it before showing a QR code"))
    def approve(self, request, queryset):
        queryset.filter(approved_at__isnull=True).update(approved_at=timezone.now())
