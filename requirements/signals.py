"""Signals of the catalogue, for the apps above it to act on without being imported here."""

from django.dispatch import Signal

# Sent inside the transaction that stored a new catalogue version (``version=``): whatever
# is judged against the catalogue (the clinics' timelines) is brought up to date with it.
catalogue_version_stored = Signal()
