"""The web addresses people give: an answer's evidence, an exemption case's documents.

One rule wherever an address comes from (the report form, the case form, the API): a
complete address starting with https://, of at most ``URL_MAX`` characters. The services
ask these functions; forms and serializers only hand over what was typed, so the page and
the API can never accept what the other refuses. Plain functions over plain values.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from halland_utbud.limits import LINKS_MAX, URL_MAX

_https = URLValidator(schemes=["https"])


def is_https_url(value: str) -> bool:
    """Whether ``value`` is a complete web address starting with https://, short enough
    to keep."""
    if len(value) > URL_MAX:
        return False
    try:
        _https(value)
    except ValidationError:
        return False
    return True


def evidence_url_error(value: str) -> str:
    """The error for an answer's link to its evidence, in the user's language; empty when
    it is acceptable (or not given)."""
    if not value or is_https_url(value):
        return ""
    if len(value) > URL_MAX:
        return _("The link is too long.")
    if not value.lower().startswith("https://"):
        return _("The link to the evidence must start with https://.")
    return _("Enter a complete web address, such as https://www.1177.se/.")


def tidied_links(links: Sequence[str]) -> list[str]:
    """The links as a case keeps them: without surrounding spaces or empty entries, in
    the order given."""
    if isinstance(links, str):
        # Splitting text into links is the form's work (one a line), not a guess here.
        raise TypeError("links are a list of links, not text")
    return [link.strip() for link in links if link.strip()]


def links_error(links: list[str]) -> str:
    """The error for a case's links (tidied), in the user's language; empty when they are
    acceptable."""
    if len(links) > LINKS_MAX:
        return _("Give at most %(count)s links.") % {"count": LINKS_MAX}
    wrong = [link for link in links if not is_https_url(link)]
    if wrong:
        return _("Each link must be a web address starting with https://: %(links)s") % {
            "links": ", ".join(wrong)
        }
    return ""
