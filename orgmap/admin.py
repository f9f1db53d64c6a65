from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from .models import Department, Heartbeat, Profile, Role, RoleHolder


class RoleInline(admin.TabularInline):
    model = Role
    fields = ["title", "active", "reports_to", "review_cadence_months", "last_reviewed_on"]
    autocomplete_fields = ["reports_to"]
    extra = 0
    show_change_link = True


@admin.register(Department)
class DepartmentAdmin(GuardedModelAdmin):
    list_display = ["name", "code", "parent", "head"]
    list_select_related = ["parent", "head"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "head"]
    inlines = [RoleInline]


class RoleHolderInline(admin.TabularInline):
    model = RoleHolder
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "reports_to", "active", "last_reviewed_on"]
    list_filter = ["active", "department"]
    list_select_related = ["department", "reports_to"]
    search_fields = ["title", "purpose", "department__name"]
    autocomplete_fields = ["department", "reports_to"]
    inlines = [RoleHolderInline]


@admin.register(RoleHolder)
class RoleHolderAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "since", "until"]
    list_select_related = ["person", "role"]
    search_fields = ["person__username", "person__profile__display_name", "role__title"]
    autocomplete_fields = ["person", "role"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]

    def get_inlines(self, request, obj):
        # A new user gets its profile from the post_save signal; edit it afterwards.
        return [] if obj is None else super().get_inlines(request, obj)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]
