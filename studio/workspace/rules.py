"""The workspace settings admins change in the app: one typed list.

Each ``Setting`` names a field of ``studio.config.Settings``; the environment (or the secrets
file) gives its value until an admin changes it, and from then on the database's value wins.
Moving another setting into the workspace is one entry here: its field, its label, how a typed
value is read (``parse``), and how it is shown (``show``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from studio.errors import InputError

LIST_MAX_ITEMS = 500
ITEM_MAX_CHARS = 200


def parse_terms(raw: Any, *, what: str = "term") -> list[str]:
    """One entry per line (or a list): trimmed, blanks dropped, repeats (any case) dropped."""
    items = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = " ".join(str(item).split())
        if not text:
            continue
        if len(text) > ITEM_MAX_CHARS:
            raise InputError(f"“{text[:40]}…” is {len(text)} characters; a {what} may have {ITEM_MAX_CHARS}.")
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    if len(out) > LIST_MAX_ITEMS:
        raise InputError(f"That is {len(out)} entries; the list may have {LIST_MAX_ITEMS}.")
    return out


def parse_timezone(raw: Any) -> str:
    """An IANA time zone name such as Europe/Berlin (or UTC)."""
    name = str(raw or "").strip()
    if not name:
        raise InputError("Choose a time zone, e.g. Europe/Berlin or UTC.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"“{name[:60]}” is not a time zone this server knows; use a name such as Europe/Berlin.") from None
    return name


_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")


def parse_domains(raw: Any) -> list[str]:
    """E-mail domains, one per line ("@Example.com" → "example.com"); each must look like one."""
    out = []
    for item in parse_terms(raw, what="domain"):
        domain = item.strip().lower().lstrip("@").rstrip(".")
        if not _DOMAIN.match(domain):
            raise InputError(f"“{item[:60]}” is not an e-mail domain; write it like ourcompany.com.")
        if domain not in out:
            out.append(domain)
    return out


def timezones() -> list[str]:
    """Every time zone name the server knows, UTC first."""
    return ["UTC", *sorted(z for z in available_timezones() if z != "UTC" and "/" in z)]


CRITIC_MAX_ROUNDS = 5


def parse_critic_rounds(raw: Any) -> int:
    """0 (no critic pass) to CRITIC_MAX_ROUNDS rounds."""
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or not 0 <= int(text) <= CRITIC_MAX_ROUNDS:
        raise InputError(f"Critic pass rounds is a whole number from 0 (off) to {CRITIC_MAX_ROUNDS}; “{text[:20]}” is not.")
    return int(text)


def show_critic_rounds(value: Any) -> str:
    n = int(value or 0)
    return "off" if n == 0 else f"at most {n} round{'s' if n != 1 else ''}"


def _show_list(value: Any) -> str:
    return ", ".join(value) if value else "none"


@dataclass(frozen=True)
class Setting:
    key: str  # the field of studio.config.Settings
    label: str
    help: str
    parse: Callable[[Any], Any]
    show: Callable[[Any], str] = str
    kind: str = "text"  # how the Settings page asks for it: "lines" or "timezone"

    @property
    def env(self) -> str:
        """The environment variable that gives the value until an admin changes it."""
        return self.key.upper()


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "studio_banned_terms", "Banned terms",
            "Words and phrases the workspace never publishes (competitor names, legal no-go words). "
            "A draft that uses one is blocked. One per line.",
            lambda raw: parse_terms(raw, what="banned term"), _show_list, "lines",
        ),
        Setting(
            "studio_allowlist", "Allowed phrases",
            "Phrases (or check rule ids such as gendered.guys) the checks let through, e.g. a product "
            "or a title the workspace uses on purpose. One per line.",
            lambda raw: parse_terms(raw, what="phrase"), _show_list, "lines",
        ),
        Setting(
            "studio_own_domains", "The workspace's own e-mail domains",
            "E-mail addresses on these domains (and their subdomains) are published on purpose: the "
            "checks show them as notes, not warnings. One per line, e.g. ourcompany.com.",
            parse_domains, _show_list, "lines",
        ),
        Setting(
            "studio_site_timezone", "Site time zone",
            "The WordPress site's time zone: the export writes post_date in it (post_date_gmt stays UTC).",
            parse_timezone, str, "timezone",
        ),
        Setting(
            "studio_critic_rounds", "Critic pass",
            "After a draft is written, and before the writer sees it, the checks and a model critic score it "
            "(on brief, repetition, unsupported claims, voice match, reading ease) and the flagged passages, and "
            "only those, are rewritten: at most this many rounds (2 is usual), stopping when a round makes "
            "nothing better. 0 turns it off. A brief can choose otherwise.",
            parse_critic_rounds, show_critic_rounds, "rounds",
        ),
    )
}  # fmt: skip


def setting(key: str) -> Setting:
    try:
        return SETTINGS[key]
    except KeyError:
        raise InputError(f"There is no workspace setting {key!r}; known: {', '.join(SETTINGS)}.") from None
