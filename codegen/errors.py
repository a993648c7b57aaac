"""Errors raised by the spec tooling, always located: file, line and the path inside the spec."""

from __future__ import annotations


class SpecError(Exception):
    """A spec (or a documentation extract) that cannot be used.

    The message reads ``specs/ka10001.yaml:42: response.body[3].length: expected an integer,
    got 'abc'`` so that an editor or a terminal can jump straight to the place.
    """

    def __init__(self, file: str, line: int | None, path: str, message: str) -> None:
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecErrors(SpecError):
    """Several located problems found in one pass; the first one is the headline."""

    def __init__(self, errors: list[SpecError]) -> None:
        if not errors:
            raise ValueError("SpecErrors needs at least one error")
        self.errors = errors
        first = errors[0]
        super().__init__(first.file, first.line, first.path, first.message)

    def __str__(self) -> str:
        return "\n".join(
            (f"{e.file}:{e.line}" if e.line is not None else e.file)
            + (f": {e.path}" if e.path else "")
            + f": {e.message}"
            for e in self.errors
        )
