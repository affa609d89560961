"""Figures in words and numbers, as the pages and the charts write them."""

from django.utils import formats

from followup.vocabulary import Unit


def formatted(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == Unit.SHARE:
        return f"{formats.number_format(value * 100, 1)} %"
    return formats.number_format(round(value), 0, force_grouping=True)
