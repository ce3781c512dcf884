"""Review-queue queries at 100,000 drafts on SQLite: p50/p95 of what the queue page runs.

Fills a database once (kept in the temp folder and reused; --rebuild makes it again) with
drafts of realistic lengths (150–1,500 words, log-normal around ~600) and a realistic status
mix, then times `studio.review.queue` as the page calls it: the filtered, sorted page plus the
counts per status, and the same with a full-text search (FTS5).

    python -m bench.bench_queue [--drafts 100000] [--runs 60] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = (
    "content calendar planning launch campaign audience brand story team customer product feature "
    "growth metrics search engine newsletter social video webinar partner pricing onboarding retention "
    "community event podcast guide checklist template workflow review editor approval budget quarter "
    "season spring summer autumn winter garden cycling coffee travel recipe fitness finance health "
    "privacy security cloud data analytics design mobile website landing page conversion funnel email"
).split()
RARE = ["kombucha", "velodrome", "permaculture", "blockchain", "sourdough", "ultramarathon", "origami", "astronomy"]
STATUSES = (["draft"] * 30 + ["in_review"] * 15 + ["changes_requested"] * 8 + ["approved"] * 20
            + ["rejected"] * 5 + ["exported"] * 22)
VERDICTS = ["pass"] * 55 + ["warn"] * 35 + ["block"] * 5 + ["unavailable"] * 5
TYPES = ["blog"] * 6 + ["news"] * 3 + ["story"]


def body_of(rng: random.Random) -> str:
    n = int(min(1500, max(150, rng.lognormvariate(6.4, 0.45))))
    words = rng.choices(WORDS, k=n)
    if rng.random() < 0.02:
        words[rng.randrange(n)] = rng.choice(RARE)
    paragraphs = [" ".join(words[i : i + 60]).capitalize() + "." for i in range(0, n, 60)]
    return "# " + " ".join(words[:6]).title() + "\n\n" + "\n\n".join(paragraphs)


def build(url: str, n: int) -> None:
    from sqlalchemy import text

    from studio.accounts.service import add_user, create_first_admin
    from studio.db import get_engine, migrate, session_scope

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        admin = create_first_admin(s, "admin", "bench-password-123")
        authors = [add_user(s, admin, f"writer{i}", "bench-password-123", ["marketer"]).id for i in range(25)]
    rng = random.Random(42)
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    batch = 5000
    with engine.begin() as conn:
        for start in range(0, n, batch):
            drafts, revisions, search = [], [], []
            for i in range(start + 1, min(n, start + batch) + 1):
                body = body_of(rng)
                title = body.splitlines()[0][2:]
                updated = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
                drafts.append({
                    "id": i, "author_id": rng.choice(authors), "content_type": rng.choice(TYPES),
                    "topic": title, "status": rng.choice(STATUSES), "verdict": rng.choice(VERDICTS),
                    "title": title, "created": updated - timedelta(days=1), "updated": updated,
                })
                revisions.append({"id": i, "draft_id": i, "body": body, "created": updated})
                search.append({"draft_id": i, "title": title, "body": body})
            conn.execute(text(
                "INSERT INTO drafts (id, author_id, content_type, topic, audience, keywords, tone, formality, "
                "temperature, target_words, language, status, incomplete, version, check_verdict, title, slug, "
                "excerpt, meta_description, tags, categories, publish_status, created_at, updated_at) VALUES "
                "(:id, :author_id, :content_type, :topic, '', '[]', 'professional', 3, 0.7, 600, 'en', :status, "
                "0, 1, :verdict, :title, '', '', '', '[]', '[]', 'draft', :created, :updated)"), drafts)
            conn.execute(text(
                "INSERT INTO revisions (id, draft_id, number, body, reason, note, created_at) VALUES "
                "(:id, :draft_id, 1, :body, 'generated', '', :created)"), revisions)
            conn.execute(text("UPDATE drafts SET current_revision_id = id WHERE id BETWEEN :a AND :b"),
                         {"a": start + 1, "b": start + batch})
            conn.execute(text("INSERT INTO draft_search (draft_id, title, body) VALUES (:draft_id, :title, :body)"), search)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("INSERT INTO draft_search_fts(draft_search_fts) VALUES ('optimize')")
    print(f"filled {n:,} drafts in {time.perf_counter() - t0:.0f} s "
          f"({Path(url.split('///', 1)[1]).stat().st_size / 1e6:.0f} MB)")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    path = Path(tempfile.gettempdir()) / f"studio-bench-queue-{args.drafts}.db"
    url = f"sqlite:///{path}"
    os.environ["STUDIO_DATABASE_URL"] = url
    os.environ.setdefault("STUDIO_SECRETS_FILE", str(path) + ".absent.toml")
    from studio.config import reload_settings

    reload_settings()
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        build(url, args.drafts)

    from studio.db import get_engine, session_scope
    from studio.models import User
    from studio.review import queue as review

    engine = get_engine(url)
    with session_scope(engine) as s:
        editor = s.query(User).filter_by(name="admin").one()

    rng = random.Random(7)
    filters = [
        lambda: review.QueueFilter(statuses=("in_review",), page=rng.randint(1, 20)),
        lambda: review.QueueFilter(statuses=("in_review", "changes_requested"), content_type=rng.choice(["blog", "news", "story"])),
        lambda: review.QueueFilter(statuses=("approved",), verdict=rng.choice(["pass", "warn"]), sort="updated_desc"),
        lambda: review.QueueFilter(statuses=(), author=f"writer{rng.randrange(25)}", sort="title"),
        lambda: review.QueueFilter(statuses=("draft",), older_than_days=rng.choice([7, 30, 90])),
    ]
    searches = [
        lambda: review.QueueFilter(statuses=(), search=rng.choice(RARE)),
        lambda: review.QueueFilter(statuses=("in_review",), search=rng.choice(RARE) + " " + rng.choice(WORDS)),
        lambda: review.QueueFilter(statuses=(), search=rng.choice(RARE)[:5]),  # prefix
        lambda: review.QueueFilter(statuses=("approved",), search=rng.choice(["velodrome cycling", "sourdough recipe"])),
    ]

    def timed(make) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for i in range(args.runs):
            f = make[i % len(make)]()
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                page = review.queue(s, editor, f)
            out.append((time.perf_counter() - t0) * 1000)
            assert page.total >= 0
        return out

    timed(filters[:1])  # warm the page cache, as a running app has it
    listing = timed(filters)
    search = timed(searches)
    print(f"review queue on SQLite, {args.drafts:,} drafts, {args.runs} runs each (page + counts per status):")
    print(f"  filtered list + count   p50 {statistics.median(listing):6.1f} ms   p95 {pct(listing, 95):6.1f} ms   (target p95 <= 50 ms)")
    print(f"  full-text search (FTS5) p50 {statistics.median(search):6.1f} ms   p95 {pct(search, 95):6.1f} ms   (target p95 <= 150 ms)")


if __name__ == "__main__":
    main()
