from django.contrib import admin

from .models import ConsentRecord, Organisation, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    filter_horizontal = ["municipalities", "organisations"]
    exclude = ["password", "user_permissions", "groups", "last_login"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]
    filter_horizontal = ["municipalities"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["grantor", "grantee", "scope", "granted_at", "revoked_at"]
