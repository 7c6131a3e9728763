"""Who may see whose ties, and what a profile shows about them."""

from django.dispatch import Signal

from community.models import Network, Tie, User

# Sent after ties are created without `save()` (`bulk_create`), which sends no `post_save`:
# pages that show who knows whom listen (events/cache.py).
ties_added = Signal()


def can_see_ties(*, owner_id: int, visibility: str, viewer) -> bool:
    """Whether `viewer` may see the ties declared by the member `owner_id`.

    A directed tie A → B belongs to A: A's `ties_visibility` decides who sees it.
    """
    if viewer is not None and viewer.is_authenticated and viewer.pk == owner_id:
        return True
    return ties_shown_to_others(visibility, member=viewer is not None and viewer.is_authenticated)


def ties_shown_to_others(visibility: str, *, member: bool) -> bool:
    """Whether ties of this `ties_visibility` show to someone other than their owner: a
    logged-in member (`member`) or an anonymous visitor. What every such visitor sees alike,
    so what a cache shared between them may hold (the event's people view)."""
    if visibility == User.Visibility.EVERYONE:
        return True
    if visibility == User.Visibility.MEMBERS:
        return member
    return False


def profile_ties(*, member: User, viewer) -> dict:
    """Context for the identities and ties parts of `member`'s profile, as `viewer` sees it."""
    is_self = viewer.is_authenticated and viewer.pk == member.pk
    ctx = {
        "is_self": is_self,
        "ties_visible": False,
        "known": [],
        "my_ties_to_member": [],
        "networks": Network.choices,
    }
    if can_see_ties(owner_id=member.pk, visibility=member.ties_visibility, viewer=viewer):
        ctx["ties_visible"] = True
        ties = list(
            Tie.objects.filter(from_member=member, to_member__is_active=True)
            .select_related("to_member__photo")
            .order_by("to_member__display_name", "network")
        )
        # A tie back belongs to the other member: "mutual" only where the viewer may see it.
        back = {
            (owner_id, network)
            for owner_id, network, visibility in Tie.objects.filter(
                to_member=member, from_member__in=[t.to_member_id for t in ties]
            ).values_list("from_member_id", "network", "from_member__ties_visibility")
            if can_see_ties(owner_id=owner_id, visibility=visibility, viewer=viewer)
        }
        for tie in ties:
            tie.is_mutual = (tie.to_member_id, tie.network) in back
        ctx["known"] = ties
    if viewer.is_authenticated and not is_self:
        mine = list(Tie.objects.filter(from_member=viewer, to_member=member).order_by("network"))
        back = set()
        if ctx["ties_visible"]:  # the member's ties back to the viewer are the member's
            back = set(
                Tie.objects.filter(from_member=member, to_member=viewer).values_list(
                    "network", flat=True
                )
            )
        for tie in mine:
            tie.is_mutual = tie.network in back
        ctx["my_ties_to_member"] = mine
    if is_self:
        ctx["import_batches"] = list(member.import_batches.all())
    return ctx
