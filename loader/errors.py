"""Every error nicip-graph raises on purpose.

::

    NicipError                      anything a user can act on; the CLI prints one line
    ├── InputError                  a release file is wrong: file, row, column, value, expected
    │   └── UnrecognisedFile        a file nobody knows how to read
    ├── SettingsError               a setting is missing or malformed
    ├── StoreError                  the graph store refused or failed
    │   ├── StoreUnavailable        cannot reach or start the store
    │   ├── StoreFormatMismatch     the embedded file was written by another format version
    │   └── EmptyStore              nothing is loaded yet
    └── QueryError                  a named or ad-hoc query is wrong
        ├── UnknownQuery            no cypher/<name>.cypher
        ├── MissingParameter        a query needs a $param nobody gave
        ├── ReadOnlyViolation       a read-only query tried to write
        └── QueryLimitExceeded      a query ran past its time limit

Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EmptyStore",
    "InputError",
    "MissingParameter",
    "NicipError",
    "QueryError",
    "QueryLimitExceeded",
    "ReadOnlyViolation",
    "SettingsError",
    "StoreError",
    "StoreFormatMismatch",
    "StoreUnavailable",
    "UnknownQuery",
    "UnrecognisedFile",
]


class NicipError(Exception):
    """Base of the errors a user can act on."""


class InputError(NicipError):
    """A value in a release file is not what the format expects.

    The message names the file, the row (1-based, as a spreadsheet shows it), the column,
    the value found and what was expected, and where possible how to fix it.
    """

    def __init__(
        self,
        file: str,
        row: int | None,
        column: str | None,
        value: object,
        expected: str,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.hint = hint
        super().__init__(self._message())

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the process that reads large RF2 files and re-raised here: rebuilt from
        # its fields, since its constructor does not take its message.
        return (_rebuilt, (type(self), self.args, self.__dict__.copy()))

    def _message(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        shown = self.value if isinstance(self.value, str) else repr(self.value)
        if isinstance(shown, str) and len(shown) > 80:
            shown = shown[:77] + "..."
        msg = f"{where}: expected {self.expected}, found {shown!r}"
        if self.hint:
            msg += f". {self.hint}"
        return msg


class UnrecognisedFile(InputError):
    """A file whose kind could not be told from its name or its content."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(
            file,
            None,
            None,
            "",
            "a NICIP table, NICIP to OPCS-4 map, OPCS-4 codes file or SNOMED CT RF2 file",
            reason,
        )
        self.reason = reason

    def _message(self) -> str:
        return f"{self.file}: not a file nicip-graph can read. {self.hint}"


class SettingsError(NicipError):
    """A setting is missing or malformed."""


class StoreError(NicipError):
    """The graph store refused or failed."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or started."""


class StoreFormatMismatch(StoreError):
    """The embedded store file was written by another format version."""


class EmptyStore(StoreError):
    """Nothing has been loaded into the store yet."""


class QueryError(NicipError):
    """A query is wrong or was refused."""


class UnknownQuery(QueryError):
    """No named query of that name."""


class MissingParameter(QueryError):
    """A query needs a parameter nobody supplied."""


class ReadOnlyViolation(QueryError):
    """A query run read-only tried to change the graph."""


class QueryLimitExceeded(QueryError):
    """A query ran past its time limit."""


def _rebuilt(cls: type[Exception], args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err
