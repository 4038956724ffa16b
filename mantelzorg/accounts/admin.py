from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ConsentRecord, Organisation, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    filter_horizontal = ["municipalities", "organisations"]
    # language: the person's own choice (the one they use the site in), not the admin's
    exclude = ["password", "user_permissions", "groups", "last_login", "language"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]
    filter_horizontal = ["municipalities"]


class ConsentAdminForm(forms.ModelForm):
    """Checked by the same rule as the service (registered scope and purpose, a fitting grantee)."""

    class Meta:
        model = ConsentRecord
        fields = ["grantor", "grantee", "scope", "purpose", "valid_until"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("grantor") and data.get("grantee"):
            try:
                services.consent_check(
                    grantor=data["grantor"],
                    grantee=data["grantee"],
                    scope=data.get("scope", ""),
                    purpose=data.get("purpose", ""),
                    valid_until=data.get("valid_until"),
                )
            except services.ConsentError as error:
                raise forms.ValidationError(str(error)) from None
        return data


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Consent in the admin goes through the same audited services as everywhere: an
    administrator records a consent (``consent_grant``) or revokes it (the action), never edits or
    deletes one."""

    audit_changes = False  # consent_grant / consent_revoke write the audit rows
    list_display = ["grantor", "grantee", "scope", "purpose", "granted_at", "valid_until", "revoked_at"]
    list_filter = ["scope"]
    actions = ["revoke"]
    fields = ["grantor", "grantee", "scope", "purpose", "valid_until"]
    raw_id_fields = ["grantor", "grantee"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    form = ConsentAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only once given
        saved = services.consent_grant(
            request=request,
            grantor=obj.grantor,
            grantee=obj.grantee,
            scope=obj.scope,
            purpose=obj.purpose,
            valid_until=obj.valid_until,
        )
        obj.pk = saved.pk

    @admin.action(description=_("Revoke the selected consents"))
    def revoke(self, request, queryset):
        for record in queryset:
            services.consent_revoke(request=request, consent_record=record)
