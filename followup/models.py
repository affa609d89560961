# Indicators, snapshots and yearly targets arrive with the follow-up issue.
