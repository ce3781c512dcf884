"""Batches: a spreadsheet of briefs, one job per row on a task queue (Huey), written by workers.

sheet (read, map and validate the file; the template), rules (row states, which failures are
retried and when: pure), slots (concurrency limits shared by every worker), ledger (row and
attempt bookkeeping in the database), jobs (one row written), queue (the Huey instance),
reconcile (rows of stopped workers, lost jobs), worker (`python -m studio worker`), serve (the
app with its embedded worker), service (submit, status, cancel, retry), schemas, cli.
"""
