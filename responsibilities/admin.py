from django.contrib import admin

from .models import Assignment, AssignmentChange, Duty, ExportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    """Assignments change only through the matrix and imports, which keep the history
    and check versions; the admin shows them without a second write path."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["role", "letter", "version", "updated_at", "updated_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "project", "frequency", "active"]
    list_filter = ["active", "department", "project"]
    list_select_related = ["department", "project"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["department"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["duty", "role", "letter", "version", "updated_at", "updated_by"]
    list_filter = ["letter"]
    list_select_related = ["duty", "role", "updated_by"]
    search_fields = ["duty__title", "role__title"]


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "duty", "role", "before", "after", "changed_by", "source"]
    list_filter = ["source"]
    list_select_related = ["duty", "role", "changed_by"]
    search_fields = ["duty__title", "role__title"]
    date_hierarchy = "changed_at"


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by", "department", "format", "status", "done", "total"]
    list_filter = ["status", "format"]
    list_select_related = ["requested_by", "department"]
