"""Whether a contract names someone who can be reached: an owner, a responder, an alert's
destination."""

from __future__ import annotations

import re

_REACHABLE = (
    re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"),  # ana@corp.com
    re.compile(r"@[A-Za-z0-9][\w.-]{0,99}(?:/[\w.-]{1,100})?"),  # @org/team, @ml-platform
    re.compile(r"#[\w.-]{1,80}"),  # #ml-oncall
    re.compile(r"(?:https?|mailto|slack|pagerduty|opsgenie):/{0,2}\S{1,300}"),  # a rota, a hook
)
_PLACEHOLDERS = frozenset({"todo", "tbd", "unknown", "none", "n/a", "nobody", "owner"})
HOW_TO_REACH = "an e-mail address, a team handle (@org/team), a channel (#ml-oncall) or a URL"


def is_reachable(contact: str) -> bool:
    """An e-mail address, a team handle, a chat channel or a URL; not a name or a TODO."""
    text = contact.strip()
    return text.lower() not in _PLACEHOLDERS and any(p.fullmatch(text) for p in _REACHABLE)
