"""Where the simulator answers a request: route, authenticate, check the plan, run the handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..exchange import Incoming, Outcome
from ..replies import error_outcome, success_outcome
from . import assets, batch, designs, generation
from .auth import authenticate
from .endpoints import ApiError, Call, Endpoint, Rendered, Router
from .links import LinkStore, owns
from .workspace import Workspace

ENDPOINTS: tuple[Endpoint, ...] = (
    *designs.ENDPOINTS,
    *assets.ENDPOINTS,
    *generation.ENDPOINTS,
    *batch.ENDPOINTS,
)
ANSWERED_BY = "simulator"


class Simulator:
    """Answers API requests from a workspace; owns the file links it hands out."""

    def __init__(self, clock: Callable[[], datetime], batch_seconds: float) -> None:
        self.clock = clock
        self.batch_seconds = batch_seconds
        self.router = Router(ENDPOINTS)
        self.links = LinkStore()

    def answer(self, incoming: Incoming, workspace: Workspace, base_url: str) -> Outcome:
        now = self.clock()
        try:
            if owns(incoming.path):
                return self.links.serve(incoming.method, incoming.path, incoming.query_string, now)
            endpoint, params = self.router.resolve(incoming.method, incoming.path)
            authenticate(incoming.headers, workspace, now)
            if endpoint.feature == "batchGenerate" and not workspace.batch_generate:
                raise ApiError(
                    "INSUFFICIENT_PERMISSIONS", "The workspace plan does not include batch generation."
                )
            call = Call(incoming, params, workspace, now, base_url, self.links, self.batch_seconds)
            data = endpoint.handler(call)
        except ApiError as error:
            return error_outcome(error.code, ANSWERED_BY, error.message)
        if isinstance(data, Rendered):
            return Outcome(endpoint.status, data.body, ANSWERED_BY)
        return success_outcome(data.model_dump(mode="json"), ANSWERED_BY, endpoint.status)
