"""The pure rules of prompt versions (no database, no I/O).

- **A template** is text with ``{placeholders}`` the writer fills from the brief; only the names
  in ``studio.drafting.prompts.PLACEHOLDERS`` may appear, without format specs, and a literal
  brace is written twice (``{{``), as in Python's ``str.format`` (LangChain's f-string templates).
- **The split**: the live version gets every new draft the versions under test do not take;
  each version under test takes its share (0 < share <= 1) and the shares add up to at most 1.
  ``pick`` maps one uniform random number to a version.
- **Intervals** are 95%: Wilson's for a rate, the distribution-free order-statistic interval for
  a median (none below 6 values), Byar's approximation of the exact Poisson interval for a count
  per 1,000 words (exact for a count of 0).
"""

from __future__ import annotations

import hashlib
import math
import string
from collections.abc import Sequence

from studio.drafting.prompts import PLACEHOLDERS
from studio.prompts.schemas import Estimate

LIVE = "live"
TESTING = "testing"
CANDIDATE = "candidate"
RETIRED = "retired"
STATUS_LABELS = {
    LIVE: "Live (default)",
    TESTING: "Under test",
    CANDIDATE: "Not in use",
    RETIRED: "Retired",
}

TEMPLATE_MAX_CHARS = 20_000
LABEL_MAX_CHARS = 120
Z95 = 1.959963984540054


def status_of(stored: str, share: float) -> str:
    """What a person is told: a stored candidate with a share is under test."""
    if stored == CANDIDATE and share > 0:
        return TESTING
    return stored


def template_problems(text: str, what: str) -> list[str]:
    """The sentences refusing ``text`` as a template (``what``: "The system prompt")."""
    if not text or not text.strip():
        return [f"{what} is empty."]
    if len(text) > TEMPLATE_MAX_CHARS:
        return [f"{what} is {len(text):,} characters long; at most {TEMPLATE_MAX_CHARS:,} are allowed."]
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [f"{what} has an unmatched brace: write {{{{ and }}}} for a literal brace, "
                "and {name} only for a placeholder."]  # fmt: skip
    problems = []
    unknown: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            unknown.append("{" + name + "}")
        elif spec or conversion:
            problems.append(f"{what}: {{{name}}} takes no format (write it as {{{name}}}).")
    if unknown:
        problems.insert(0, (
            f"{what} uses {', '.join(dict.fromkeys(unknown))}, which the studio does not fill. Known placeholders: "
            + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ". Write {{ and }} for a literal brace."
        ))  # fmt: skip
    return problems


def unused_placeholders(system: str, human: str) -> list[str]:
    """Placeholders neither template uses: the brief's voice, sources or language would not reach
    the model (allowed, but worth saying)."""
    used = set()
    for text in (system, human):
        try:
            used |= {name for _, name, _, _ in string.Formatter().parse(text) if name}
        except ValueError:
            continue
    return [p for p in PLACEHOLDERS if p not in used]


def fingerprint(system: str, human: str) -> str:
    return hashlib.sha256((system + "\0" + human).encode("utf-8")).hexdigest()


def share_problem(share: float, others: float) -> str | None:
    """Why ``share`` cannot be given to a version when the other versions under test take
    ``others`` (None: it can)."""
    if math.isnan(share) or not 0 <= share <= 1:
        return f"The share must be from 0 to 1 (0.5 is half of new drafts); got {share:g}."
    if share > 0 and share + others > 1 + 1e-9:
        room = max(0.0, 1 - others)
        return (f"Other versions under test already take {others:.0%} of new drafts, so at most {room:.0%} "
                f"is left; lower theirs first, or promote one.")  # fmt: skip
    return None


def live_share(testing: Sequence[tuple[int, float]]) -> float:
    return max(0.0, 1.0 - sum(share for _, share in testing))


def pick(live_id: int, testing: Sequence[tuple[int, float]], u: float) -> int:
    """The version a new draft gets for the uniform random number ``u`` in [0, 1): each version
    under test for its share of the range, the live version for the rest."""
    at = 0.0
    for version_id, share in testing:
        at += share
        if u < at:
            return version_id
    return live_id


# --- 95% intervals ---------------------------------------------------------------------------


def rate(successes: int, n: int) -> Estimate:
    """A proportion with Wilson's score interval."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def median(values: Sequence[float]) -> Estimate:
    """The median with the distribution-free interval [x(j), x(n+1-j)] (1-based order
    statistics): the largest j whose binomial coverage is still at least 95%."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    s = sorted(values)
    best = None
    # coverage of [x(j), x(n+1-j)] = P(j <= B <= n-j), B ~ Binomial(n, 1/2)
    for j in range(1, n // 2 + 1):
        tail = sum(math.comb(n, i) for i in range(j)) / 2**n
        if 1 - 2 * tail >= 0.95:
            best = j
        else:
            break
    if best is None:
        return Estimate(_median(s), None, None, n)
    return Estimate(_median(s), float(s[best - 1]), float(s[n - best]), n)


def per_thousand(count: int, words: int) -> Estimate:
    """Findings per 1,000 words with a Poisson interval on the count (Byar's approximation);
    ``n`` is the number of words."""
    if words <= 0:
        return Estimate(None, None, None, 0)
    scale = 1000 / words
    if count == 0:  # exact: P(0 | mean) = 0.025
        low, high = 0.0, -math.log(0.025)
    else:
        low = count * (1 - 1 / (9 * count) - Z95 / (3 * math.sqrt(count))) ** 3
        high = (count + 1) * (1 - 1 / (9 * (count + 1)) + Z95 / (3 * math.sqrt(count + 1))) ** 3
    return Estimate(count * scale, low * scale, high * scale, words)
