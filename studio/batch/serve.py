"""`python -m studio serve` (what `make run` starts): the app and its embedded worker together.

Both run as child processes of this one, and go when it goes: Ctrl-C or SIGTERM stops the app
and then the worker (gracefully: rows being written go back on the queue); if this process is
killed outright, Linux ends both children too (PR_SET_PDEATHSIG), so nothing is left behind.
A worker that exits on its own is started again. STUDIO_WORKER_WITH_APP=false serves the app
alone (a team whose workers run elsewhere).
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Sequence

from studio.batch import children
from studio.config import PROJECT_ROOT, get_settings

WORKER_STOP_TIMEOUT_S = 20.0
RESTART_PAUSE_S = 2.0


def serve(streamlit_args: Sequence[str] = ()) -> int:
    settings = get_settings()
    stopping = children.Stopping()
    worker_args = ["-m", "studio", "worker"]
    worker = children.start(worker_args) if settings.studio_worker_with_app else None
    app = children.start(["-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"), *streamlit_args])
    try:
        while not stopping.requested and app.poll() is None:
            if worker is not None and worker.poll() is not None:
                print(f"serve: the worker exited ({worker.returncode}); starting it again.", file=sys.stderr, flush=True)
                time.sleep(RESTART_PAUSE_S)
                worker = children.start(worker_args)
            time.sleep(0.2)
    finally:
        children.stop([app], signal.SIGTERM, 10.0)
        children.stop([worker], signal.SIGINT, WORKER_STOP_TIMEOUT_S)
    return 0 if stopping.requested else (app.returncode or 0)
