from django.contrib import admin

from responsibilities.models import InformationFlow

from .models import (
    Charter,
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)


@admin.register(InformationFlow)
class InformationFlowAdmin(admin.ModelAdmin):
    list_display = [
        "information",
        "from_department",
        "to_department",
        "channel",
        "frequency",
        "active",
    ]
    list_filter = ["active", "channel", "frequency"]
    list_select_related = ["from_department", "to_department"]
    search_fields = ["information", "system_name"]
    autocomplete_fields = ["from_department", "to_department", "from_role", "to_role", "duty"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "coordinator", "created_at", "settled_at"]
    list_filter = ["status"]
    search_fields = ["title", "description", "settlement"]
    autocomplete_fields = [
        "departments",
        "raised_by",
        "coordinator",
        "settled_by",
        "changed_duties",
    ]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class GoalLinkInline(admin.TabularInline):
    model = GoalLink
    autocomplete_fields = ["duty", "role"]
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "project"]
    list_select_related = ["department", "project"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["department", "contributing_departments"]
    raw_id_fields = ["project"]
    inlines = [TargetInline, GoalLinkInline]


@admin.register(TargetProgress)
class TargetProgressAdmin(admin.ModelAdmin):
    list_display = ["target", "value", "recorded_at", "recorded_by"]
    list_select_related = ["target", "recorded_by"]


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at", "updated_by"]
    list_select_related = ["department", "project", "updated_by"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "project", "tags", "created_at"]
    list_select_related = ["department", "project"]
    search_fields = ["title", "what_worked", "what_did_not", "tags"]


class ImprovementActionInline(admin.TabularInline):
    model = ImprovementAction
    fk_name = "feedback"
    autocomplete_fields = ["owner"]
    exclude = ["created_by"]
    extra = 0


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["summary", "status", "anonymous", "submitted_on"]
    list_filter = ["status", "anonymous"]
    search_fields = ["summary", "details"]
    # The author is never edited here: anonymous feedback must stay without one.
    readonly_fields = ["author", "anonymous", "submitted_on", "triaged_by", "triaged_at"]
    raw_id_fields = ["duty", "role", "department", "project", "flow", "duplicate_of"]
    inlines = [ImprovementActionInline]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["owner"]
    search_fields = ["title"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_by"]
