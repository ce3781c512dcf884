"""Claim support on a hand-labelled set: precision and recall of the ledger's verdicts.

    python -m bench.bench_claims

Each case in ``tests/fixtures/claim_support.yaml`` is a claim labelled supported, partly or
unsupported against six passages (English, German, French). The claim goes through the same
code a draft's revision does: found by the rules (``claims.extract``; a claim the rules do not
find is an extraction miss), then linked to the best passage (``claims.support``).
Printed: extraction recall (a claim the rules miss is not in the ledger: counted apart), then on
the claims found, per-label precision and recall, the confusion matrix, and the question approval
asks ("does this need an editor's acknowledgement?", i.e. not supported).
The set and the rules were written by the same person: the figures say the rules do what they
say on cases like these, not how they generalise.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from studio.claims.extract import find_claims
from studio.claims.support import SUPPORT_LEVELS, Candidate, best_support

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "claim_support.yaml"


def run() -> dict[str, object]:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    passages = [Candidate(label, text) for label, text in data["passages"].items()]
    rows = []
    missed: list[dict] = []
    started = time.perf_counter()
    for case in data["cases"]:
        found = find_claims(case["claim"])
        if not found:
            # Not in the ledger at all (the rules see no figure, date, quote, study or superlative):
            # counted apart, not as a verdict.
            missed.append(case)
            continue
        rows.append((case["label"], best_support(found[0], passages).level, case["claim"]))
    elapsed = time.perf_counter() - started
    confusion = {t: {p: 0 for p in SUPPORT_LEVELS} for t in SUPPORT_LEVELS}
    for truth, got, _ in rows:
        confusion[truth][got] += 1
    per_label = {}
    for level in SUPPORT_LEVELS:
        tp = confusion[level][level]
        predicted = sum(confusion[t][level] for t in SUPPORT_LEVELS)
        actual = sum(confusion[level].values())
        per_label[level] = (tp / predicted if predicted else 0.0, tp / actual if actual else 0.0, actual)
    # "Needs acknowledgement" = not supported: what approval asks the editor about.
    tp = sum(1 for t, g, _ in rows if t != "supported" and g != "supported")
    fp = sum(1 for t, g, _ in rows if t == "supported" and g != "supported")
    fn = sum(1 for t, g, _ in rows if t != "supported" and g == "supported")
    return {
        "cases": len(rows) + len(missed), "judged": len(rows), "missed": missed,
        "extraction_recall": len(rows) / (len(rows) + len(missed)), "per_label": per_label,
        "confusion": confusion, "ack_precision": tp / (tp + fp) if tp + fp else 0.0,
        "ack_recall": tp / (tp + fn) if tp + fn else 0.0, "ms_per_claim": 1000 * elapsed / len(rows),
        "errors": [(t, g, c) for t, g, c in rows if t != g],
    }  # fmt: skip


def main() -> None:
    r = run()
    print(f"Claim support on {r['cases']} labelled claims ({FIXTURE.name})")
    print(f"  claims found by the rules: {r['extraction_recall']:.2f} (not found: "
          + "; ".join(c["claim"] for c in r["missed"]) + ")")  # type: ignore[union-attr]
    print(f"  verdicts on the {r['judged']} claims found:")
    for level, (p, rec, n) in r["per_label"].items():  # type: ignore[union-attr]
        print(f"  {level:<12} precision {p:.2f}  recall {rec:.2f}  (n={n})")
    print(f"  needs acknowledgement (partly or unsupported): precision {r['ack_precision']:.2f}, "
          f"recall {r['ack_recall']:.2f}")  # fmt: skip
    print("  confusion (rows: label, columns: ledger): " + ", ".join(SUPPORT_LEVELS))
    for t, row in r["confusion"].items():  # type: ignore[union-attr]
        print(f"    {t:<12} " + "  ".join(f"{row[p]:>3}" for p in SUPPORT_LEVELS))
    print(f"  {r['ms_per_claim']:.2f} ms per claim (extraction + linking against 6 passages)")
    for t, g, c in r["errors"]:  # type: ignore[union-attr]
        print(f"  miss: labelled {t}, ledger {g}: {c}")


if __name__ == "__main__":
    main()
