"""The ``kiwoom-typed`` command line: call any TR, follow pages, print JSON, a table or CSV.

Hand-written; it drives the generated client (``kiwoom_typed``) and can start the local sandbox.
"""

from kiwoom_cli.main import main

__all__ = ["main"]
