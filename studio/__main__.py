import signal
import sys

# Ctrl-C while the modules load (a few seconds on a busy machine) ends the command quietly; once
# loaded, commands get KeyboardInterrupt as usual (generate keeps the text so far).
signal.signal(signal.SIGINT, lambda *_: sys.exit(130))

from studio.cli import main  # noqa: E402

signal.signal(signal.SIGINT, signal.default_int_handler)
sys.exit(main())
