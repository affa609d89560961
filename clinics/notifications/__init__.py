"""Every mail the system sends, and the one way it sends them (``delivery``): recorded
first as a ``Notification`` per recipient, sent once the record is committed, exactly once,
and retried later when the mail server refuses.

One module per sub-domain says what is sent to whom: ``cases`` (exemption decisions,
reminders, expiry), ``rounds`` (a round opened, reminders, the late notice, the manual
reminder), ``reports`` (a report returned or approved) and ``digest`` (the reviewers'
daily digest of what was submitted).
"""
