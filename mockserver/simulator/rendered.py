"""An answer a handler keeps ready-encoded, for data that has not changed since."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..exchange import Outcome


@dataclass(slots=True)
class Rendered:
    """A success envelope already encoded (a handler's cached answer for data that has not changed).

    A handler that keeps one (a design read) gets `outcome` filled in by the simulator on first use:
    the answer made of it, response headers included, is then made once per version, not per read.
    """

    body: bytes
    outcome: Outcome | None = field(default=None, compare=False, repr=False)
