from followup.models.clinic_indicators import ClinicIndicator, ClinicIndicatorValue
from followup.models.snapshots import (
    Recompute,
    RecomputeState,
    Snapshot,
    SnapshotQuerySet,
    Target,
)
from followup.models.usage import ImportedVia, Usage, UsageImport, UsageMonth

__all__ = [
    "ClinicIndicator",
    "ClinicIndicatorValue",
    "ImportedVia",
    "Recompute",
    "RecomputeState",
    "Snapshot",
    "SnapshotQuerySet",
    "Target",
    "Usage",
    "UsageImport",
    "UsageMonth",
]
