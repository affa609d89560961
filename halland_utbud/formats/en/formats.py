"""English dates as a reader in Sweden expects them: ISO short dates, British long dates and
a 24-hour clock, never Django's US default (12/01/2026, Dec. 1, 2026, 2:30 p.m.).

Swedish keeps Django's own formats, which already read this way (2026-12-01, 1 december 2026).
"""

DATE_FORMAT = "j F Y"  # 1 December 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 1 December 2026, 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 1 December
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-01
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-01 14:30
FIRST_DAY_OF_WEEK = 1  # Monday

# Dates are typed as the date inputs send them, ISO, never month first.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
