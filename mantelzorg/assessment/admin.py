from django.contrib import admin

from mantelzorg.core import audit
from mantelzorg.core.cache import bump_version

from . import registry
from .forms import InstrumentDefinitionForm, LocalThresholdsForm
from .models import InstrumentDefinition, LocalThresholds


class _VersionedAdmin(admin.ModelAdmin):
    """Every change raises the assessment content version, so all processes re-read it. Saving
    writes the same audit row as the services do (``instrument.loaded``, ``thresholds.updated``),
    so the admin's generic change rows are off (``core.admin_site``)."""

    audit_changes = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_version(registry.CONTENT)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_version(registry.CONTENT)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_version(registry.CONTENT)


@admin.register(InstrumentDefinition)
class InstrumentDefinitionAdmin(_VersionedAdmin):
    """Operators load licensed instruments (EDIZ-plus, CSI, ...) as FHIR Questionnaire JSON."""

    form = InstrumentDefinitionForm
    list_display = ["questionnaire_id", "title", "version", "active", "builtin", "loaded_at"]
    list_filter = ["active", "builtin"]
    readonly_fields = ["questionnaire_id", "url", "version", "title", "builtin", "loaded_at"]

    def save_model(self, request, obj, form, change):
        obj.checksum = registry.checksum(obj.json)
        super().save_model(request, obj, form, change)
        if obj.active:
            InstrumentDefinition.objects.filter(url=obj.url).exclude(pk=obj.pk).update(active=False)
            bump_version(registry.CONTENT)  # the base class bumped before this update
        audit.log(
            request=request, action="assessment.instrument.loaded", obj=obj, purpose="instrument management"
        )


@admin.register(LocalThresholds)
class LocalThresholdsAdmin(_VersionedAdmin):
    """A gemeente's own thresholds for the balance level (local policy)."""

    form = LocalThresholdsForm
    list_display = ["municipality", "overrides", "updated_at"]
    autocomplete_fields = []
    raw_id_fields = ["municipality"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.log(request=request, action="assessment.thresholds.updated", obj=obj, purpose="local policy")
