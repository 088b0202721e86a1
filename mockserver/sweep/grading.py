"""The guidance findings of one sweep run: the live checks' findings for the run's mock session.

Each run's server is reset before the run (findings are cleared with the rest of the session), so
`mock.guidance()` after the command has ended holds exactly that run's findings, made from every
request the mock answered (with the Retry-After it sent and the full credential, which the journal
does not keep).
"""

from __future__ import annotations

from ..control import MockControl
from ..guidance import Finding


def findings(mock: MockControl) -> list[Finding]:
    """The findings of the session's requests since its last reset, oldest first."""
    return mock.guidance()
