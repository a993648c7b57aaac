"""Spec tooling for the Kiwoom REST API client: import, validate, generate.

Run ``python -m codegen --help``. The flow is documentation -> ``specs/*.yaml`` -> generator ->
``generated/kiwoom_typed``; see docs/ARCHITECTURE.md.
"""
