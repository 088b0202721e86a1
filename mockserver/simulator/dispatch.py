"""Where the simulator answers a request: storage links, else route, authenticate, check the plan, handle."""

from __future__ import annotations

from ..clock import Clock
from ..exchange import Incoming, Outcome
from ..replies import error_outcome, success_outcome
from . import links
from .auth import authenticate
from .endpoints import ApiError, Call, raise_missing
from .rendered import Rendered
from .revisions import Revision
from .workspace import Workspace

ANSWERED_BY = "simulator"


class Simulator:
    """Answers API requests from a workspace under a revision; owns the file links it hands out.

    Time is the session's: `answer` is given the session's clock, read once per request.
    """

    def __init__(self, batch_seconds: float) -> None:
        self.batch_seconds = batch_seconds
        self.links = links.LinkStore()

    def answer(
        self, incoming: Incoming, workspace: Workspace, base_url: str, revision: Revision, clock: Clock
    ) -> Outcome:
        if links.owns(incoming.path):
            return self.links.serve(incoming.method, incoming.path, incoming.query_string, clock)
        now = clock.now()
        try:
            found = incoming.route if incoming.revision == revision.name else None
            endpoint, params = raise_missing(found or revision.router.lookup(incoming.method, incoming.path))
            authenticate(incoming.headers, workspace, now)
            if endpoint.feature == "batchGenerate" and not workspace.batch_generate:
                raise ApiError(
                    "INSUFFICIENT_PERMISSIONS", "The workspace plan does not include batch generation."
                )
            call = Call(
                incoming, params, workspace, now, base_url, self.links, self.batch_seconds, revision.profile,
                endpoint, clock,
            )  # fmt: skip
            data = endpoint.handler(call)
        except ApiError as error:
            return error_outcome(error.code, ANSWERED_BY, error.message)
        if isinstance(data, Rendered):
            outcome = data.outcome
            if outcome is None or outcome.status != endpoint.status:
                outcome = data.outcome = Outcome(endpoint.status, data.body, ANSWERED_BY)
            return outcome
        return success_outcome(data.model_dump(mode="json", by_alias=True), ANSWERED_BY, endpoint.status)
