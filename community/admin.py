from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from community.models import Identity, ImportBatch, Tie, User


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ["network", "handle", "url", "external_id"]


@admin.register(User)
class MemberAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "city", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_active", "city", "ties_visibility"]
    search_fields = ["username", "display_name", "email", "city"]
    ordering = ["username"]
    inlines = [IdentityInline]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        (_("Profile"), {"fields": ["display_name", "city", "bio", "language"]}),
        (_("Privacy"), {"fields": ["ties_visibility", "listed_in_attendees"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]}),
    ]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["handle", "network", "member", "created_at"]
    list_filter = ["network"]
    search_fields = ["handle", "url", "member__username", "member__display_name"]
    raw_id_fields = ["member"]


@admin.register(Tie)
class TieAdmin(admin.ModelAdmin):
    list_display = ["from_member", "to_member", "network", "source", "created_at"]
    list_filter = ["network", "source"]
    search_fields = ["from_member__username", "to_member__username"]
    raw_id_fields = ["from_member", "to_member", "import_batch"]
    list_select_related = ["from_member", "to_member"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "filename", "rows_read", "created_at"]
    list_filter = ["kind"]
    search_fields = ["member__username", "filename"]
    raw_id_fields = ["member"]
