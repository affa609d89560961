"""The longest text each kind of field takes, shared by the forms, the services and the API.

The columns are unbounded text (no migration needed to change a limit); these limits are
what the app accepts. A limit is generous for what the field is for, and keeps one long
paste from breaking the pages that show the text (the history, the review page).
"""

from django.utils.translation import gettext as _

# Comments, justifications, decisions, descriptions: a few paragraphs.
LONG_TEXT_MAX = 5000
# A short free text: an indicator's comment on one value.
SHORT_TEXT_MAX = 500
# Names and searches.
NAME_MAX = 200
# One web address (as an answer's evidence link), and the links of an exemption case: as
# many as fit in a long text.
URL_MAX = 500
LINKS_MAX = LONG_TEXT_MAX // URL_MAX


def too_long(value: str, limit: int) -> str:
    """The error for a text longer than ``limit``, in the user's language; empty if it fits."""
    if len(value) <= limit:
        return ""
    return _(
        "The text is too long: at most %(limit)s characters are allowed, it has %(length)s."
    ) % {"limit": limit, "length": len(value)}
