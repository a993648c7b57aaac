"""``python -m codegen``: import, validate, generate."""

from codegen.cli import main

raise SystemExit(main())
