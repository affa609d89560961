"""Each clinic's compliance timeline: read its inputs, derive its intervals, store them.

``rewrite_timelines`` is called by every service whose write changes a clinic's inputs,
inside that service's transaction; ``rebuild_all`` (``manage.py rebuild_compliance``)
rebuilds every timeline from the sources.
"""

from clinics.timeline.store import WrittenRows, rebuild_all, rewrite_timelines, vacuum

__all__ = ["WrittenRows", "rebuild_all", "rewrite_timelines", "vacuum"]
