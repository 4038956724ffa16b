"""Platform administration of respite: the nights a gemeente grants a year (``Allowance``; set by
the platform on the gemeente's word until gemeenten configure it themselves, issue 17). Units
are managed by the providers on their own pages; stays and guests are not in the admin (personal
data, seen by the requester, the provider and the regional coordinator only)."""

from django.contrib import admin

from .models import Allowance


@admin.register(Allowance)
class AllowanceAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "nights"]
    list_filter = ["year"]
    autocomplete_fields = ["municipality"]
