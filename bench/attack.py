"""The studio attacked on purpose, figures printed: concurrency, kills, hostile text and input.

    python -m bench.attack                      # everything below (a few minutes on 2 cores)
    python -m bench.attack concurrency kills    # some sections only

Sections (each prints what it tried and what went wrong):

- ``export-out``: ``export --out`` at the studio's database, its -wal, a device, a FIFO, an
  existing file, ``-``: what was refused, what was overwritten, whether a file named ``-`` appeared;
- ``concurrency``: rounds of 5, 10 and 20 fresh ``python -m studio`` processes at once on one
  SQLite database (generate against the local model server, review submit, drafts list):
  commands failed, tracebacks, "database is locked", wrong "Someone else changed this", and
  generated texts not saved exactly as printed;
- ``kills``: ``generate`` stopped mid-stream by SIGTERM, SIGHUP, SIGKILL and Ctrl-C (twice
  each), and a reply over 200,000 characters: runs whose brief and text so far were kept,
  tracebacks printed;
- ``evasion``: every check category disguised with every technique (zero-width characters,
  soft hyphen, full-width forms, homoglyphs, combining and precomposed accents, a right-to-left
  override...): variants missed, and findings that do not land on the disguised word; plus
  UTF-16 and invalid bytes given to ``check -``;
- ``bad-input``: bytes that are not UTF-8 in arguments and on stdin, NUL characters and lone
  surrogates in every typed field, numbers out of range, a 300-character file name, a full disk:
  tracebacks (must be 0) and refusals;
- ``formulas``: cells of the audit CSV and a spreadsheet-mode export that a spreadsheet would run.

Everything runs against temporary databases and the local model server; nothing leaves the
machine. PostgreSQL sections run when STUDIO_TEST_POSTGRES_URL names a server.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


def env_for(url: str, tmp: Path, server=None, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    env.update(STUDIO_DATABASE_URL=url, STUDIO_SECRETS_FILE=str(tmp / "absent.toml"), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT), STUDIO_RECOVERY_DIR=str(tmp / "recovery"), PYTHONUNBUFFERED="1")  # fmt: skip
    if server is not None:
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-attack", STUDIO_MAX_RETRIES="0")
    env.update(extra)
    return env


def studio(env: dict[str, str], *args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable.encode(), b"-m", b"studio", *[a if isinstance(a, bytes) else a.encode() for a in args]]
    return subprocess.run(argv, cwd=ROOT, env=env, input=stdin, capture_output=True, timeout=600)


def seeded(url: str, drafts: int = 0) -> list[int]:
    """People (ada admin, ed0 editor, mk1 marketer) and ``drafts`` finished drafts of mk1."""
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import make_engine, migrate, session_scope
    from studio.drafting.brief import Brief
    from studio.drafting.service import add_revision, create_draft

    engine = make_engine(url)
    migrate(engine)
    ids = []
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        add_user(s, admin, "ed0", PASSWORD, ["editor"])
        mk1 = add_user(s, admin, "mk1", PASSWORD, ["marketer"])
        for i in range(drafts):
            d = create_draft(s, Brief.create(content_type="blog", topic=f"Finished {i}"), mk1)
            add_revision(s, d, f"# Finished {i}\n\nA finished text about harbour walks, number {i}.\n", mk1,
                         "edited", run_checks=False)  # fmt: skip
            ids.append(d.id)
    engine.dispose()
    return ids


def line(what: str, figure: object) -> None:
    print(f"  {what:<72} {figure}", flush=True)


# --------------------------------------------------------------------------------------------


def attack_export_out(tmp: Path) -> None:
    from studio.db import make_engine, session_scope
    from studio.models import Draft

    url = f"sqlite:///{tmp / 'victim.db'}"
    ids = seeded(url, drafts=3)
    engine = make_engine(url)
    with session_scope(engine) as s:
        for i in ids:
            s.get(Draft, i).status = "approved"
    engine.dispose()
    env = env_for(url, tmp)
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    existing = tmp / "existing.csv"
    existing.write_text("someone's file\n")
    targets = {"the database": str(tmp / "victim.db"), "its -wal": str(tmp / "victim.db-wal"),
               "a device (/dev/null)": "/dev/null", "a FIFO": str(fifo), "an existing file": str(existing)}  # fmt: skip
    refused = 0
    for name, target in targets.items():
        done = studio(env, "export", "--preset", "wordpress", "--out", target, "--as", "ed0")
        refused += done.returncode == 2
        line(f"--out {name}: exit {done.returncode}", done.stderr.decode(errors="replace").strip()[:90])
    db_ok = (tmp / "victim.db").read_bytes()[:16] == b"SQLite format 3\x00"
    line("refused", f"{refused}/{len(targets)}; database intact: {db_ok}; FIFO still a FIFO: "
         f"{stat.S_ISFIFO(os.stat(fifo).st_mode)}; existing file kept: {existing.read_text() == 'someone' + chr(39) + 's file' + chr(10)}")  # fmt: skip
    here = tmp / "cwd"
    here.mkdir()
    done = subprocess.run([sys.executable, "-m", "studio", "export", "--preset", "json", "--out", "-", "--as", "ed0"],
                          cwd=here, env=env, capture_output=True, timeout=300)  # fmt: skip
    line("--out -: exit, bytes on stdout, a file named '-' made", f"{done.returncode}, {len(done.stdout)}, "
         f"{(here / '-').exists()}")  # fmt: skip


# --------------------------------------------------------------------------------------------


def attack_concurrency(tmp: Path) -> None:
    from tests.support.fake_openai import FakeOpenAI

    from studio.db import make_engine, session_scope
    from studio.models import Draft, Revision

    total = failed = tracebacks = locked = wrong_conflict = lost = 0
    for size in (5, 10, 20):
        url = f"sqlite:///{tmp / f'concurrency-{size}.db'}"
        submit = seeded(url, drafts=max(1, size // 4))
        with FakeOpenAI(delay=0.002, chunk_chars=40, reply_words=300) as server:
            env = env_for(url, tmp, server)
            commands: list[list[str]] = []
            for i in range(size):
                kind = i % 4
                if kind in (0, 1):
                    commands.append(["generate", "--type", "blog", "--topic", f"Round {size} topic {i}", "--provider",
                                     "openai", "--json", "--as", "mk1"])  # fmt: skip
                elif kind == 2 and submit:
                    commands.append(["review", "submit", str(submit.pop()), "--as", "mk1"])
                else:
                    commands.append(["drafts", "list", "--json", "--as", "ed0"])
            started = time.monotonic()
            procs = [subprocess.Popen([sys.executable, "-m", "studio", *c], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) for c in commands]  # fmt: skip
            results = [(p.wait(600), p.stdout.read().decode(errors="replace"), p.stderr.read().decode(errors="replace"))
                       for p in procs]  # fmt: skip
            elapsed = time.monotonic() - started
        engine = make_engine(url)
        round_failed = 0
        with session_scope(engine) as s:
            for command, (code, out, err) in zip(commands, results):
                total += 1
                bad = code != 0
                tracebacks += "Traceback" in err
                locked += "locked" in err
                wrong_conflict += "Someone else changed" in err
                if command[0] == "generate" and code == 0:
                    outcome = json.loads(out)
                    draft = s.get(Draft, outcome["draft_id"])
                    body = s.get(Revision, draft.current_revision_id).body if draft.current_revision_id else ""
                    if body != outcome["text"] or not body:
                        lost += 1
                        bad = True
                round_failed += bad
        engine.dispose()
        failed += round_failed
        line(f"{size} processes at once: failed", f"{round_failed}/{size} in {elapsed:.1f} s")
    line("commands failed (of all rounds)", f"{failed}/{total}")
    line("tracebacks / 'database is locked' / wrong 'Someone else changed'", f"{tracebacks} / {locked} / {wrong_conflict}")
    line("generated texts not saved exactly as printed", lost)


# --------------------------------------------------------------------------------------------


def _generation(url: str, tmp: Path, server, topic: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    out, err = open(tmp / f"{topic}.out", "wb"), open(tmp / f"{topic}.err", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "studio", "generate", "--type", "blog", "--topic", topic,
                             "--audience", "sailors", "--provider", "openai", "--as", "mk1"], cwd=ROOT,
                            env=env_for(url, tmp, server), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    out.close()
    err.close()
    return proc


def attack_kills(tmp: Path) -> None:
    from tests.support.fake_openai import FakeOpenAI

    from studio.db import make_engine, session_scope
    from studio.models import Draft

    url = f"sqlite:///{tmp / 'kills.db'}"
    seeded(url)
    reply = "# Tides\n\n" + " ".join(f"Sentence {i} about the tide and the harbour." for i in range(300))
    kept = runs = tracebacks = 0
    with FakeOpenAI(reply=reply, delay=0.02, chunk_chars=12) as server:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL, signal.SIGINT):
            for n in range(2):
                topic = f"{signum.name}-{n}"
                proc = _generation(url, tmp, server, topic)
                deadline = time.monotonic() + 120
                while (tmp / f"{topic}.out").stat().st_size < 200 and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(2.5)  # past one periodic save
                proc.send_signal(signum)
                proc.wait(120)
                shown = (tmp / f"{topic}.out").read_text(errors="replace")
                said = (tmp / f"{topic}.err").read_text(errors="replace")
                tracebacks += "Traceback" in said
                engine = make_engine(url)
                with session_scope(engine) as s:
                    draft = s.query(Draft).filter(Draft.topic == topic).one_or_none()
                    body = draft.current_revision.body if draft is not None and draft.current_revision else ""
                    ok = draft is not None and draft.audience == "sailors" and bool(body) and reply.startswith(body)
                    if signum != signal.SIGKILL:
                        ok = ok and body == shown.rstrip("\n")
                engine.dispose()
                runs += 1
                kept += ok
                line(f"{signum.name} mid-stream (run {n + 1}): brief and text kept, exit", f"{ok}, {proc.returncode}"
                     f" ({len(body)} of {len(shown.rstrip())} characters shown)")  # fmt: skip
    line("runs that kept the brief and the text so far", f"{kept}/{runs}; tracebacks printed: {tracebacks}")
    long_reply = "# Long\n\n" + "All work and no play. " * 12_000
    with FakeOpenAI(reply=long_reply, chunk_chars=4000) as server:
        done = studio(env_for(url, tmp, server), "generate", "--type", "blog", "--topic", "Too long", "--provider",
                      "openai", "--json", "--as", "mk1")  # fmt: skip
    outcome = json.loads(done.stdout)
    line(f"reply of {len(long_reply):,} characters: saved, length, marked",
         f"{outcome['revision'] is not None}, {len(outcome['text']):,}, {'Cut here' in outcome['text']}")


# --------------------------------------------------------------------------------------------


def attack_evasion(tmp: Path) -> None:
    from tests.unit.checks.test_evasion import CASES, SETTINGS, TECHNIQUES

    from studio.checks.pipeline import check
    from studio.checks.shadow import fold

    variants = missed = misplaced = 0
    for category, (plain, word) in CASES.items():
        for technique, disguise in TECHNIQUES.items():
            text = plain.replace(word, disguise(word))
            hits = [f for f in check(text, SETTINGS).findings if f.category == category]
            variants += 1
            if not hits:
                missed += 1
                line(f"missed: {category} / {technique}", repr(text))
            elif not any(fold(word) in fold(f.text).lower() and text[f.start:f.end] == f.text for f in hits):
                misplaced += 1
    line(f"variants ({len(CASES)} categories x {len(TECHNIQUES)} techniques) missed", f"{missed}/{variants}")
    line("findings not on the disguised word", misplaced)
    env = env_for(f"sqlite:///{tmp / 'evasion.db'}", tmp, STUDIO_BANNED_TERMS='["acme rival"]')
    for name, data in {"UTF-16 with a byte-order mark": "Buy from acme rival".encode("utf-16"),
                       "UTF-16 without one": "Buy from acme rival".encode("utf-16-le"),
                       "invalid bytes": b"Buy from \xff acme rival"}.items():  # fmt: skip
        done = studio(env, "check", "-", stdin=data)
        said = (done.stdout + done.stderr).decode(errors="replace")
        verdict = "block" if "verdict: block" in said else ("refused" if done.returncode == 2 else "pass")
        line(f"check - on {name}", f"{verdict} (exit {done.returncode})")


# --------------------------------------------------------------------------------------------


def attack_bad_input(tmp: Path) -> None:
    url = f"sqlite:///{tmp / 'bad.db'}"
    [draft] = seeded(url, drafts=1)
    env = env_for(url, tmp)
    cases: list[tuple[str, list[str | bytes], bytes]] = [
        ("--comment not UTF-8", ["review", "submit", str(draft), "--as", "mk1", "--comment", b"x\xff"], b""),
        ("--display-name not UTF-8", ["users", "add", "nn1", "--role", "marketer", "--display-name", b"N\xff",
                                      "--password-stdin", "--as", "ada"], PASSWORD.encode() + b"\n"),
        ("password on stdin not UTF-8", ["users", "add", "nn2", "--role", "marketer", "--password-stdin", "--as", "ada"],
         b"correct \xff horse\n"),
        ("--topic not UTF-8", ["generate", "--type", "blog", "--topic", b"Caf\xe9", "--as", "mk1"], b""),
        ("review submit 99999999999999999999", ["review", "submit", "99999999999999999999", "--as", "mk1"], b""),
        ("drafts list --limit huge", ["drafts", "list", "--limit", "99999999999999999999", "--as", "mk1"], b""),
        ("export --until 9999-12-31", ["export", "--preset", "wordpress", "--until", "9999-12-31", "--out",
                                       str(tmp / "u.csv"), "--as", "ed0"], b""),
        ("300-character --out", ["export", "--preset", "wordpress", "--out", str(tmp / ("x" * 300)), "--as", "ed0"], b""),
    ]  # fmt: skip
    tracebacks = 0
    for name, args, stdin in cases:
        done = studio(env, *args, stdin=stdin)
        said = done.stderr.decode(errors="replace")
        tracebacks += "Traceback" in said
        line(f"{name}: exit {done.returncode}", said.strip().splitlines()[-1][:80] if said.strip() else "")
    from studio.db import make_engine, session_scope
    from studio.errors import InputError
    from studio.models import User
    from studio.publishing.service import update_publishing
    from studio.review.comments import add_comment

    engine = make_engine(url)
    refused = tried = 0
    for bad in ("Hello\x00world", "Hello \udcff world"):
        for field, attempt in {
            "title": lambda s, b=bad: update_publishing(s, draft, s.get(User, 3), {"title": b}, None),
            "excerpt": lambda s, b=bad: update_publishing(s, draft, s.get(User, 3), {"excerpt": b}, None),
            "comment": lambda s, b=bad: add_comment(s, draft, s.get(User, 3), b),
        }.items():
            tried += 1
            try:
                with session_scope(engine) as s:
                    attempt(s)
            except InputError as exc:
                refused += field in exc.problems
    engine.dispose()
    line("NUL and lone surrogates in title, excerpt, comment: refused naming the field", f"{refused}/{tried}")
    line("tracebacks", f"{tracebacks}/{len(cases)}")


# --------------------------------------------------------------------------------------------


def attack_formulas(tmp: Path) -> None:
    import csv
    import io

    from studio.audit.download import to_csv
    from studio.content import neutralise
    from studio.models import AuditEvent

    prefixes = ["", " ", "\u3000", "\u200b", "\u200d", "\u202e", "\ufeff", "\u00a0", "\t"]
    triggers = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66"]
    cells = [p + t + "HYPERLINK(\"http://x\")" for p in prefixes for t in triggers]
    events = [AuditEvent(id=i, created_at=None, actor_name=c, action="review.comment", comment=c, data={})
              for i, c in enumerate(cells)]  # fmt: skip
    rows = list(csv.reader(io.StringIO(to_csv(events).decode("utf-8-sig"))))[1:]
    written = [cell for row in rows for cell in (row[3], row[8])]
    live = [c for c in written if not c.startswith("'")]
    line(f"audit CSV: cells starting with a formula (behind {len(prefixes)} kinds of prefix)", f"{len(live)}/{len(written)} live")
    sheet = [neutralise(c, "spreadsheet") for c in cells]
    line("spreadsheet mode: the same cells", f"{sum(not c.startswith(chr(39)) for c in sheet)}/{len(sheet)} live")


SECTIONS = {"export-out": attack_export_out, "concurrency": attack_concurrency, "kills": attack_kills,
            "evasion": attack_evasion, "bad-input": attack_bad_input, "formulas": attack_formulas}  # fmt: skip


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    for name in wanted:
        with tempfile.TemporaryDirectory(prefix=f"studio-attack-{name}-") as tmp:
            print(f"\n== {name}", flush=True)
            started = time.monotonic()
            SECTIONS[name](Path(tmp))
            print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
