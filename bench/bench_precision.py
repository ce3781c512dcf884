"""Check precision over a workspace's record on SQLite: how long `rule_precision` takes (what the
Settings page and `python -m studio checks precision` run), by number of drafts.

Each draft has three revisions of ~600 words (the model's text, an edit elsewhere, then either
an edit of a flagged phrase or none), a report per revision with four findings (two phrases,
a claim, a length note) and an approval.

    python -m bench.bench_precision [--drafts 500 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = ("content calendar planning launch campaign audience brand story team customer product feature growth "
         "metrics search newsletter social video webinar partner pricing onboarding retention community").split()


def body_of(rng: random.Random, n: int = 600) -> str:
    words = rng.choices(WORDS, k=n)
    words[40], words[200], words[400] = "guys", "chairman", "guaranteed"
    return "# Title\n\n" + "\n\n".join(" ".join(words[i : i + 60]).capitalize() + "." for i in range(0, n, 60))


def findings_of(body: str) -> list[dict]:
    out = []
    for word, rule, category in (("guys", "gendered.guys", "bias"), ("chairman", "gendered.chairman", "bias"),
                                 ("guaranteed", "claims.guaranteed", "claims")):  # fmt: skip
        i = body.find(word)
        if i >= 0:
            out.append(dict(category=category, label=rule.split(".")[0], start=i, end=i + len(word), text=word,
                            severity="warn", suggestions=[], rule=rule))  # fmt: skip
    out.append(dict(category="quality", label="length", start=0, end=0, text="", severity="info", suggestions=[],
                    rule="quality.length"))  # fmt: skip
    return out


def build(url: str, n: int) -> object:
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import get_engine, migrate, session_scope
    from studio.models import AuditEvent, CheckReport, Draft, Finding, Revision

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "admin", "bench-password-123")
        writer = add_user(s, admin, "writer", "bench-password-123", ["marketer"])
        admin_id, writer_id = admin.id, writer.id
    rng = random.Random(7)
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for start in range(0, n, 250):
        with session_scope(engine) as s:
            for _ in range(start, min(n, start + 250)):
                d = Draft(author_id=writer_id, content_type="blog", topic="Bench", title="Bench", status="approved")
                s.add(d)
                s.flush()
                first = body_of(rng)
                second = first + "\n\nOne more paragraph for the readers."
                third = second.replace("guys", "everyone", 1) if rng.random() < 0.5 else second
                for number, body in enumerate((first, second, third), start=1):
                    t += timedelta(seconds=1)
                    r = Revision(draft_id=d.id, number=number, body=body, author_id=writer_id,
                                 reason="generated" if number == 1 else "edited", created_at=t)  # fmt: skip
                    s.add(r)
                    s.flush()
                    report = CheckReport(revision_id=r.id, verdict="warn", created_at=t)
                    report.findings = [Finding(**f) for f in findings_of(body)]
                    s.add(report)
                    d.current_revision_id = r.id
                t += timedelta(seconds=1)
                s.add(AuditEvent(actor_id=admin_id, action="review.approve", draft_id=d.id, created_at=t, data={}))
    return engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from studio.db import session_scope
    from studio.models import User
    from studio.precision.service import rule_precision

    with tempfile.TemporaryDirectory() as tmp:
        for n in args.drafts:
            url = f"sqlite:///{Path(tmp) / f'precision-{n}.db'}"
            t0 = time.perf_counter()
            engine = build(url, n)
            built = time.perf_counter() - t0
            times = []
            for _ in range(args.runs):
                with session_scope(engine, read_only=True) as s:
                    admin = s.query(User).filter_by(name="admin").one()
                    t0 = time.perf_counter()
                    report = rule_precision(s, admin)
                    times.append(time.perf_counter() - t0)
            guys = next(r for r in report.rules if r.rule == "gendered.guys")
            print(f"{n:>6,} drafts ({3 * n:,} revisions, {12 * n:,} findings; built in {built:.0f} s): "
                  f"rule_precision median {statistics.median(times) * 1000:,.0f} ms, max {max(times) * 1000:,.0f} ms "
                  f"over {args.runs} runs; gendered.guys precision {guys.precision:.0%} of {guys.decided:,}")  # fmt: skip
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
