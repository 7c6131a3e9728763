from django.contrib import admin

from events import organising
from events.models import (
    RSVP,
    ClashAcknowledgement,
    Event,
    EventLink,
    Meeting,
    Series,
    SeriesLink,
    Venue,
)


class SeriesLinkInline(admin.TabularInline):
    model = SeriesLink
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "home_city", "preferred_weekday"]
    list_filter = ["home_city", "preferred_weekday"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisers"]
    inlines = [SeriesLinkInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "address"]
    list_filter = ["city"]
    search_fields = ["name", "address", "city"]


class EventLinkInline(admin.TabularInline):
    model = EventLink
    extra = 0


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    raw_id_fields = ["member"]
    fields = ["member", "status", "status_changed_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "start", "venue", "capacity", "status"]
    list_filter = ["status", "series", "venue__city"]
    search_fields = ["title", "description", "venue__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["series", "venue"]
    raw_id_fields = ["created_by"]
    inlines = [EventLinkInline, RSVPInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # After the RSVP inline is saved, so seats freed there are counted too; a capacity
        # below the number going was already refused by `Event.clean()`.
        if change and "capacity" in form.changed_data:
            organising.change_capacity(event=form.instance, capacity=form.instance.capacity)


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["event", "member", "status", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["event__title", "member__username", "member__display_name"]
    raw_id_fields = ["event", "member"]
    list_select_related = ["event", "member"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["event", "member_a", "member_b", "created_at"]
    raw_id_fields = ["event", "member_a", "member_b", "recorded_by"]
    search_fields = ["event__title", "member_a__username", "member_b__username"]


@admin.register(ClashAcknowledgement)
class ClashAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["event", "other_event", "severity", "confirmed_by", "confirmed_at"]
    raw_id_fields = ["event", "other_event", "confirmed_by"]
