"""What the project's management commands share."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def read_file(path: Path) -> bytes:
    """The file's bytes, or a CommandError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(_("The file %(path)s does not exist.") % {"path": path}) from None
    except OSError as error:
        raise CommandError(
            _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": error}
        ) from None
