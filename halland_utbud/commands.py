"""What the project's management commands share."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from halland_utbud.errors import ApplicationError


def read_file(path: Path, *, check_size: Callable[[int], None] | None = None) -> bytes:
    """The file's bytes, or a CommandError saying why it cannot be read. ``check_size``
    gets the file's size before a byte is read, and refuses it by raising an
    ApplicationError (an import's size limit)."""
    try:
        if check_size is not None:
            check_size(path.stat().st_size)
        return path.read_bytes()
    except ApplicationError as error:
        raise CommandError(error.message) from None
    except FileNotFoundError:
        raise CommandError(_("The file %(path)s does not exist.") % {"path": path}) from None
    except OSError as error:
        raise CommandError(
            _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": error}
        ) from None
