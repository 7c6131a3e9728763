"""`{% face member size=48 %}` and `{% face_stack members max=5 %}`: members' faces.

Load the photo with the members (`select_related("photo")`, `select_related("member__photo")`,
`prefetch_related("organisers__photo")`...): a face then costs no query. See community/photos.py.
"""

from django import template

from community import photos

register = template.Library()


@register.inclusion_tag("includes/face.html")
def face(member, size: int = 48, decorative: bool = False) -> dict:
    """`decorative=True` beside the member's name in text: the face is then hidden from screen
    readers (empty alt), which would otherwise read the name twice."""
    return {"face": photos.face(member, int(size)), "decorative": decorative}


@register.inclusion_tag("includes/face_stack.html")
def face_stack(members, max: int = 5, size: int = 32, total: int | None = None) -> dict:
    """The first `max` faces, overlapping, then "+N" for the others: N counts the rest of
    `members`, or of `total` when the caller passes a slice and the full count.

    `max` is named as the tag reads (`max=5`); the builtin is not needed here."""
    members = list(members)
    shown = members[: int(max)]
    hidden = (len(members) if total is None else int(total)) - len(shown)
    return {
        "faces": [photos.face(member, int(size)) for member in shown],
        "hidden": hidden if hidden > 0 else 0,
        "size": int(size),
    }
