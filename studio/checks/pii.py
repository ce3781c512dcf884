"""Personal data: e-mail addresses, phone numbers, payment cards (Luhn-checked), IPv4/IPv6
addresses and US social security numbers. Regexes find candidates; validators keep real ones."""

from __future__ import annotations

import ipaddress
import re

from studio.checks.report import Finding

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
# 13-19 digits, optionally in groups separated by single spaces or hyphens.
CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])")
SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|(?:\d{1,3}\.){3}\d{1,3})(?![\w:])")
# International (+44 20 7946 0958, +1-202-555-0143) or national with area code ((202) 555-0143,
# 202-555-0143, 202.555.0143, 020 7946 0958). Candidates are validated by digit count.
PHONE = re.compile(
    r"(?<![\w+/.-])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}"
    r"|\d{3}[.-]\d{3}[.-]\d{4}"
    r"|0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}"
    r")(?![\w/-]|\.\d|[ ]\d)"
)

NOTES = {
    "email": "An e-mail address is personal data unless it is a published role address (press@, hello@); check it is meant to be public or remove it.",
    "phone": "A phone number is personal data unless it is a published business line; check it is meant to be public or remove it.",
    "payment-card": "A payment card number (passes the Luhn check) must never be published; remove it.",
    "ip-address": "An IP address can identify a person or expose infrastructure; remove it or use a documentation address (192.0.2.0/24, 2001:db8::/32).",
    "ssn": "A US social security number must never be published; remove it.",
}
OWN_DOMAIN_NOTE = (
    "An address on one of the workspace's own domains (STUDIO_OWN_DOMAINS): published on purpose, "
    "shown as a note."
)
ADVICE = {
    "email": "Check it is meant to be public (a role address such as press@), or remove it.",
    "phone": "Check it is a published business line, or remove it.",
    "payment-card": "Remove the number.",
    "ip-address": "Remove it, or use a documentation address (192.0.2.0/24, 2001:db8::/32).",
    "ssn": "Remove the number.",
}
# Defaults only: the verdict policy (policy.POLICY) decides what each counts as.
SEVERITY = {"email": "warn", "phone": "warn", "payment-card": "block", "ip-address": "warn", "ssn": "block"}
# No replacement is ever offered for personal data: a made-up address or number would be false.
SUGGESTIONS: dict[str, list[str]] = {k: [] for k in SEVERITY}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _finding(text: str, start: int, end: int, label: str, *, own: bool = False) -> Finding:
    return Finding(
        category="pii",
        label=label,
        start=start,
        end=end,
        text=text[start:end],
        severity="info" if own else SEVERITY[label],
        suggestions=list(SUGGESTIONS[label]),
        rule="pii.email-own-domain" if own else f"pii.{label}",
        note=OWN_DOMAIN_NOTE if own else NOTES[label],
        advice="" if own else ADVICE[label],
    )


def on_domains(address: str, domains: tuple[str, ...]) -> bool:
    """Whether an e-mail address is on one of ``domains`` (or a subdomain of one)."""
    host = address.rpartition("@")[2].lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def normalise_domains(domains) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """Domains as configured ("@Example.com", " example.com. ") → ("example.com",)."""
    out = []
    for d in domains or ():
        d = str(d).strip().lower().lstrip("@").rstrip(".")
        if d:
            out.append(d)
    return tuple(out)


def find_pii(text: str, own_domains: tuple[str, ...] = ()) -> list[Finding]:
    """Personal data in ``text``; e-mail addresses on ``own_domains`` (normalised) are notes."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, label: str, own: bool = False) -> None:
        found.append(_finding(text, s, e, label, own=own))
        taken.append((s, e))

    for m in EMAIL.finditer(text):
        add(m.start(), m.end(), "email", own=bool(own_domains) and on_domains(m.group(0), own_domains))
    for m in CARD.finditer(text):
        raw = m.group(0)
        seps = {c for c in raw if not c.isdigit()}
        if len(seps) > 1:
            continue  # mixed separators: not how cards are written
        digits = re.sub(r"\D", "", raw)
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits) and free(m.start(), m.end()):
            add(m.start(), m.end(), "payment-card")
    for m in SSN.finditer(text):
        if free(m.start(), m.end()):
            add(m.start(), m.end(), "ssn")
    for m in IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group(0))
        except ValueError:
            continue
        if free(m.start(), m.end()):
            add(m.start(), m.end(), "ip-address")
    for m in IPV6.finditer(text):
        cand = m.group(0)
        if cand.count(":") < 2 or not re.search(r"[0-9A-Fa-f]", cand):
            continue
        try:
            ipaddress.IPv6Address(cand)
        except ValueError:
            continue
        if free(m.start(), m.end()):
            add(m.start(), m.end(), "ip-address")
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 9 <= len(digits) <= 15 or len(set(digits)) < 3:
            continue
        if free(m.start(), m.end()):
            add(m.start(), m.end(), "phone")
    found.sort(key=lambda f: (f.start, f.end))
    return found
