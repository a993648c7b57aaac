"""``python -m kiwoom_sandbox --port 8080``: run the sandbox in the foreground.

The same command line as ``kiwoom-typed sandbox`` (``kiwoom_sandbox.cli``).
"""

from kiwoom_sandbox.cli import main

raise SystemExit(main())
