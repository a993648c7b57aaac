"""``python -m kiwoom_cli``: same as the ``kiwoom-typed`` command."""

from kiwoom_cli.main import main

raise SystemExit(main())
