"""How a contract run judges answers: one check Context per (role, strictness), made once.

A Context is made against the started target (its base URL is part of what the checks compare), so
it is made on first use, after the connection opened.
"""

from __future__ import annotations

from ecekit.checks.base import Context, Role
from ecekit.suite.connection import Connection


class Contexts:
    """The run's check contexts, and whether a valid survey must get 204 by default."""

    def __init__(self, connection: Connection, *, valid_needs_204: bool) -> None:
        self.connection = connection
        self.valid_needs_204 = valid_needs_204  # on the embedded server, where sessions are not checked
        self._made: dict[tuple[Role, bool], Context] = {}

    def context(self, role: Role = Role.ANY, *, valid_needs_204: bool | None = None) -> Context:
        strict = self.valid_needs_204 if valid_needs_204 is None else valid_needs_204
        key = (role, strict)
        if key not in self._made:
            self._made[key] = Context(self.connection.started(), role=role, valid_needs_204=strict)
        return self._made[key]
