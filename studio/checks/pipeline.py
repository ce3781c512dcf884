"""The check pipeline: ``check(text, settings) -> Report`` for one text, and
``check_draft(body, fields, settings)`` for everything a draft ships (the body and every
publishing field, each finding naming its field).

Backends, each named in the report with its status:

* toxicity, in tiers: ``detoxify`` (primary; local files only), ``openai-moderation`` (optional,
  when enabled and configured) and ``profanity-check`` (embedded offline fallback, used when
  Detoxify cannot run);
* rules, always offline: ``bias-rules`` (YAML files in ``rules/``, plus the gender-coded tone
  signal), ``pii``, ``claims``, ``banned-terms`` and ``quality`` (the body only).

Every backend reads the text's shadow (`shadow.shadow`: invisible characters dropped, NFKC,
Latin accents and lookalike letters folded), and each finding is mapped back to the characters
of the original text it covers. Invisible characters that hide something are findings too
(quality, "invisible-character"), in the body and in every field. A caller's ``extras`` (a draft's
brand voice rules, output language, claim ledger) read the body's original text.

What each finding counts as, and the verdict, come from `policy` (one table). Nothing here raises
for bad input or a broken backend: a backend that fails is reported ``unavailable`` with the
reason, and if no toxicity backend ran the verdict is ``unavailable`` (needs manual review),
never ``pass``. Findings are ordered most severe first, then by field and position.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from studio.checks import policy
from studio.checks.pii import find_pii, normalise_domains
from studio.checks.quality import check_quality
from studio.checks.report import CATEGORIES, FIELDS, SEVERITY_RANK, BackendStatus, Finding, Report
from studio.checks.rules import bias_rules, claims_rules, gender_coded, term_rules
from studio.checks.shadow import Shadow, fold, invisible, shadow
from studio.checks.text import bounded, normalize, phrase_pattern, sentences, token_norms, words
from studio.checks.toxicity import run_toxicity, toxicity_statuses
from studio.config import get_settings
from studio.languages.catalog import base_code, language_name
from studio.languages.catalog import names as lang_names

#: A rule backend a caller adds: its name and a function of the text that returns findings.
Extra = tuple[str, Callable[[str], list[Finding]]]

__all__ = [
    "CATEGORIES",
    "BackendStatus",
    "Finding",
    "Report",
    "WorkspaceLists",
    "backend_statuses",
    "check",
    "Extra",
    "check_draft",
    "field_texts",
    "workspace_lists",
]


def _settings(settings):
    return get_settings() if settings is None else settings


@dataclass(frozen=True)
class WorkspaceLists:
    """The workspace's own lists the checks read: banned terms, allowed phrases (or rule ids) and
    its own e-mail domains."""

    banned_terms: tuple[str, ...] = ()
    allowlist: tuple[str, ...] = ()
    own_domains: tuple[str, ...] = ()


def workspace_lists(settings) -> WorkspaceLists:
    """The one place the checks get the workspace's lists from (today: settings)."""
    return WorkspaceLists(
        banned_terms=tuple(str(t) for t in settings.studio_banned_terms or [] if str(t).strip()),
        allowlist=tuple(str(a) for a in settings.studio_allowlist or [] if str(a).strip()),
        own_domains=normalise_domains(getattr(settings, "studio_own_domains", None) or []),
    )


def _banned(text, toks, norms, terms: tuple[str, ...]):
    return _banned_rules(terms).match(text, toks, norms)


_banned_cache: dict = {}


def _banned_rules(terms: tuple[str, ...]):
    rs = _banned_cache.get(terms)
    if rs is None:
        rs = term_rules(
            list(terms), category="banned", label="banned-term", severity="block",
            note="On this workspace's banned-terms list (competitor names, legal no-go words).",
            advice="Remove the term.",
        )
        if len(_banned_cache) > 32:
            _banned_cache.clear()
        _banned_cache[terms] = rs
    return rs


def _allow_spans(text: str, allowlist: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in allowlist:
        term = str(term).strip()
        if not term:
            continue
        try:
            rx = re.compile(bounded(phrase_pattern(fold(term))), re.IGNORECASE)
        except re.error:
            continue
        spans.extend((m.start(), m.end()) for m in rx.finditer(text))
    return spans


ALLOWLIST_CATEGORIES = ("bias", "claims", "banned", "pii")


def _apply_allowlist(text: str, findings: list[Finding], allowlist: list[str]) -> tuple[list[Finding], int]:
    """Drop rule findings that lie inside an allowlisted phrase or whose rule id is allowlisted.

    Model findings (toxicity) and quality findings are never suppressed."""
    if not allowlist:
        return findings, 0
    ids = {normalize(str(a)) for a in allowlist}
    spans = _allow_spans(text, allowlist)
    kept: list[Finding] = []
    dropped = 0
    for f in findings:
        if f.category in ALLOWLIST_CATEGORIES and (
            normalize(f.rule) in ids
            or (f.end > f.start and any(a <= f.start and f.end <= b for a, b in spans))
        ):
            dropped += 1
            continue
        kept.append(f)
    return kept, dropped


def _gender_coded_finding(sig: dict) -> Finding | None:
    """The gender-coded wording signal as a tone note (never a bias finding)."""
    total = sig["masculine_count"] + sig["feminine_count"]
    if not sig["coding"].startswith("strongly") or total < 3:
        return None
    side = "masculine" if "masculine" in sig["coding"] else "feminine"
    words_ = ", ".join(sig[f"{side}_words"][:8])
    return Finding(
        "tone", "gender-coded", 0, 0, "", "info",
        suggestions=[],
        rule="tone.gender_coded",
        note=(
            f"Tone signal, not a violation: the text uses {sig['masculine_count']} masculine-coded and "
            f"{sig['feminine_count']} feminine-coded words ({words_}). Gaucher, Friesen & Kay (2011) found "
            "strongly coded job ads reduce appeal to the other gender. Consider balancing with words such as "
            + ("collaborative, supportive, committed." if side == "masculine" else "driven, decisive, ambitious.")
        ),
    )


def check(
    text: str, settings=None, *, target_words: int | None = None, language: str = "en",
    extras: Sequence[Extra] = (),
) -> Report:  # fmt: skip
    """Check one text (the body) written in ``language``. Never raises: failures become
    ``unavailable`` backends (fail closed). ``extras`` are more rule backends, ``(name, fn(text)
    -> findings)``: the draft's own checks (brand voice terms, output language, claim ledger)."""
    return check_draft(text, {}, settings, target_words=target_words, language=language, extras=extras)


def field_texts(values: Mapping) -> dict[str, str]:
    """The publishing fields a draft ships, as the texts the checks read (tags and categories
    joined by ", "). ``values`` maps field names to values (strings or lists of strings)."""
    out: dict[str, str] = {}
    for name in FIELDS[1:]:
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value if str(v).strip())
        out[name] = str(value)
    return out


def check_draft(
    body: str, fields: Mapping[str, str] | None = None, settings=None, *, target_words: int | None = None,
    language: str = "en", extras: Sequence[Extra] = (),
) -> Report:  # fmt: skip
    """Check the body and every publishing field in ``fields`` (name → text; see
    `field_texts`). One report: findings name their field, the verdict covers them all. The
    ``extras`` read the body only."""
    try:
        return _check_all(body, dict(fields or {}), _settings(settings), target_words, language, extras)
    except Exception as exc:  # noqa: BLE001 - last line of defence: fail closed
        return Report(
            "unavailable",
            [BackendStatus("check", "unavailable", f"{type(exc).__name__}: {exc}", "rules")],
            [],
            {},
        )


def _check_all(body, fields: dict[str, str], settings, target_words, language: str = "en",
               extras: Sequence[Extra] = ()) -> Report:  # fmt: skip
    lists = workspace_lists(settings)
    backends, findings, signals = _check(body, settings, lists, field="body", target_words=target_words,
                                         language=language, extras=extras)  # fmt: skip
    by_name = {b.name: i for i, b in enumerate(backends)}
    for name in FIELDS[1:]:
        text = fields.get(name)
        if not text or not str(text).strip():
            continue
        f_backends, f_findings, _ = _check(str(text), settings, lists, field=name, target_words=None, language=language)
        findings += f_findings
        for b in f_backends:
            i = by_name.get(b.name)
            if i is None:
                by_name[b.name] = len(backends)
                backends.append(b)
            elif b.status == "unavailable" and backends[i].status != "unavailable":
                backends[i] = replace(b, reason=f"{b.reason} (while checking the {name.replace('_', ' ')})")
    if fields:
        signals["fields_checked"] = [n for n in FIELDS[1:] if str(fields.get(n) or "").strip()]
    findings = [policy.classify(f, settings) for f in findings]
    findings.sort(key=_order)
    warn, block = policy.thresholds(settings)
    signals["thresholds"] = {"warn": warn, "block": block}
    verdict = policy.decide(findings, backends, settings)
    return Report(verdict, backends, findings, signals, policy.required_acknowledgements(findings))


def _order(f: Finding) -> tuple:
    """Most severe first; then the body before the fields; then where it is."""
    return (-SEVERITY_RANK[f.severity], FIELDS.index(f.field), f.start, f.end, CATEGORIES.index(f.category), f.label)


def _check(original: str, settings, lists: WorkspaceLists, *, field: str, target_words: int | None,
           language: str = "en", extras: Sequence[Extra] = ()):  # fmt: skip
    """One text's backends, findings (marked with ``field``, on the original characters) and
    signals."""
    if not isinstance(original, str):
        original = "" if original is None else str(original)
    seen = shadow(original)
    text = seen.text  # every backend reads the shadow; findings are mapped back below
    sents = sentences(text)
    toks = words(text)
    norms = token_norms(toks)
    backends: list[BackendStatus] = []
    findings: list[Finding] = []
    signals: dict = {}

    # A slug's words are joined by hyphens; the models read them as words (same offsets).
    tox_text = text.replace("-", " ") if field == "slug" else text
    statuses, tox = run_toxicity(tox_text, settings, sentences(tox_text) if field == "slug" else sents,
                                 language=language)  # fmt: skip
    backends += statuses
    findings += [replace(f, text=text[f.start : f.end]) for f in tox] if field == "slug" else tox

    def rule_backend(name: str, fn, into: list[Finding] = findings) -> None:
        try:
            found = fn()
            into.extend(found)
            backends.append(BackendStatus(name, "ran", "", "rules"))
        except Exception as exc:  # noqa: BLE001
            backends.append(BackendStatus(name, "unavailable", f"{type(exc).__name__}: {exc}", "rules"))

    def bias():
        out = bias_rules().match(text, toks, norms)
        if field != "body":
            return out
        sig = gender_coded().signal(text, toks, norms)
        signals["gender_coded"] = sig
        f = _gender_coded_finding(sig)
        return out + ([f] if f else [])

    def quality():
        out, sig = _quality(text, target_words, sents, toks)
        signals.update(sig)
        return out

    def covered(name: str, rules, fn) -> None:  # type: ignore[no-untyped-def]
        """A rule backend that reads only its files' languages says so for any other."""
        langs = sorted(rules.languages)
        if base_code(language) in {base_code(c) for c in langs}:
            before = len(backends)
            rule_backend(name, fn)
            if backends[before].status == "ran":
                backends[before] = BackendStatus(name, "ran", f"rules in {lang_names(langs)}", "rules")
        else:
            backends.append(BackendStatus(
                name, "skipped", f"the rules are in {lang_names(langs)}; this text is {language_name(language)}", "rules"
            ))  # fmt: skip

    covered("bias-rules", bias_rules(), bias)
    rule_backend("pii", lambda: _pii(text, lists.own_domains))
    covered("claims", claims_rules(), lambda: claims_rules().match(text, toks, norms))
    if lists.banned_terms:
        rule_backend("banned-terms", lambda: _banned(text, toks, norms, lists.banned_terms))
    else:
        backends.append(BackendStatus("banned-terms", "skipped", "no banned terms configured", "rules"))
    if field == "body":
        rule_backend("quality", quality)
    # The draft's own backends read the original text: the output language and the claims are
    # judged on what was written (folded accents would blur a language), and the claim ledger
    # stores positions in the revision's body.
    own: list[Finding] = []
    for name, fn in extras:
        rule_backend(name, lambda fn=fn: fn(original), own)

    allowlist = list(lists.allowlist)
    findings, dropped = _apply_allowlist(text, findings, allowlist)
    own, dropped_own = _apply_allowlist(original, own, allowlist)
    if dropped + dropped_own:
        signals["allowlisted"] = dropped + dropped_own
    findings = [_on_original(f, seen) for f in findings] + _invisible_findings(original) + own
    if field != "body":
        findings = [replace(f, field=field) for f in findings]
    return backends, findings, signals


def _on_original(f: Finding, seen: Shadow) -> Finding:
    """A finding on the shadow, moved onto the original characters it covers."""
    if seen.identical or f.document_level:
        return f
    start, end = seen.span(f.start, f.end)
    return dataclasses.replace(f, start=start, end=end, text=seen.original[start:end])


INVISIBLE_NOTE = (
    "Invisible character{s} here ({names}). Readers cannot see {obj}, but {subj} can hide words from "
    "the checks, break search and links in the CMS, or (direction controls) show the text in "
    "another order than it is stored. Remove {obj} unless you put {obj} there on purpose."
)


def _invisible_findings(original: str) -> list[Finding]:
    out = []
    for run in invisible(original):
        many = run.end - run.start > 1
        out.append(Finding(
            "quality", "invisible-character", run.start, run.end, original[run.start:run.end], "warn",
            suggestions=[], rule="quality.invisible_character",
            note=INVISIBLE_NOTE.format(s="s" if many else "", names=", ".join(run.names),
                                       obj="them" if many else "it", subj="they" if many else "it"),
        ))  # fmt: skip
    return out


def _pii(text, own_domains=()):
    return find_pii(text, own_domains)


def _quality(text, target_words, sents, toks):
    return check_quality(text, target_words=target_words, sents=sents, toks=toks)


def backend_statuses(settings=None, *, load: bool = False) -> list[BackendStatus]:
    """For the Settings page: which backends would run and why (or why not), without checking
    text. In this list "ran" means "would run". ``load=True`` also loads the Detoxify model."""
    settings = _settings(settings)
    try:
        out = toxicity_statuses(settings, load=load)
    except Exception as exc:  # noqa: BLE001
        out = [BackendStatus("toxicity", "unavailable", f"{type(exc).__name__}: {exc}", "primary")]
    for name in ("bias-rules", "pii", "claims"):
        out.append(BackendStatus(name, "ran", "offline rules", "rules"))
    n = len(workspace_lists(settings).banned_terms)
    out.append(
        BackendStatus("banned-terms", "ran", f"{n} term(s)", "rules")
        if n
        else BackendStatus("banned-terms", "skipped", "no banned terms configured", "rules")
    )
    out.append(BackendStatus("quality", "ran", "offline rules", "rules"))
    return out
