from django.contrib import admin

from .models import LogEntry, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_everyday", "province_name", "population"]
    search_fields = ["code", "name", "name_everyday"]


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor_id", "actor_role", "object_type", "object_id", "outcome"]
    list_filter = ["outcome", "actor_role"]
    search_fields = ["action", "actor_id", "subject_id", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
