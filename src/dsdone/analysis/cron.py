"""Validation of cron schedules, as a retrain schedule is written: five fields or a macro.

Only the syntax every common cron accepts (Vixie cron, cronie, Kubernetes CronJob, GitHub
Actions, Airflow): ``*``, numbers, names for months and days, lists, ranges and steps. The point
is a message that says which field is wrong, so a typo in a schedule is caught at review time and
not on the night the model was meant to retrain.
"""

from __future__ import annotations

from dataclasses import dataclass

MACROS = ("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually")

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names for the values from ``low`` on (JAN is 1, SUN is 0)

    @property
    def allowed(self) -> str:
        text = f"{self.low}-{self.high}"
        return f"{text} or {self.names[0]}-{self.names[-1]}" if self.names else text


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)


class CronError(ValueError):
    """The schedule is not a valid cron expression; the message names the wrong field."""


def validate_cron(expression: str) -> None:
    """Raise ``CronError`` saying what is wrong with ``expression``, or return if it is valid."""
    text = expression.strip()
    if text.startswith("@"):
        if text.lower() not in MACROS:
            raise CronError(f"'{text}' is not a cron macro; use one of {', '.join(MACROS)}")
        return
    fields = text.split()
    if len(fields) != len(FIELDS):
        names = " ".join(f.name.replace(" ", "-") for f in FIELDS)
        raise CronError(
            f"a cron expression has {len(FIELDS)} fields ({names}); '{text}' has {len(fields)}"
        )
    for number, (spec, value) in enumerate(zip(FIELDS, fields, strict=True), start=1):
        _validate_field(number, spec, value)


def _validate_field(number: int, spec: _Field, value: str) -> None:
    label = f"field {number} ({spec.name})"
    for item in value.split(","):
        if not item:
            raise CronError(f"{label} '{value}' has an empty item in its list")
        base, slash, step = item.partition("/")
        if slash and (not _is_number(step) or int(step) < 1):
            raise CronError(f"{label} '{value}': the step after '/' must be a whole number from 1")
        if base == "*":
            continue
        low_text, dash, high_text = base.partition("-")
        low = _value(spec, low_text, label, value)
        if dash:
            high = _value(spec, high_text, label, value)
            if high < low:
                raise CronError(f"{label} '{value}': the range {base} runs backwards")


def _value(spec: _Field, text: str, label: str, field: str) -> int:
    """The number ``text`` stands for; the error quotes it, and the field when it is part of it."""
    shown = text if text == field else f"{text} in '{field}'"
    if _is_number(text):
        number = int(text)
        if not spec.low <= number <= spec.high:
            verb = "is" if text == field else "has"
            raise CronError(f"{label} {verb} {shown}, must be {spec.allowed}")
        return number
    if text.upper() in spec.names:
        return spec.names.index(text.upper()) + spec.low
    if not text:
        raise CronError(f"{label} '{field}': a range needs a value on both sides of '-'")
    quoted = f"'{text}'" if text == field else f"'{text}' in '{field}'"
    raise CronError(f"{label} is {quoted}, must be {spec.allowed}")


def _is_number(text: str) -> bool:
    """ASCII digits, and few enough to be read (``str.isdigit`` also says yes to ``²`` and
    ``٣``, which ``int`` refuses or cron does not mean; 5,000 digits are not a field either)."""
    return text.isascii() and text.isdigit() and len(text) <= 9
