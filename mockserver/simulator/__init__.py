"""The simulator: the documented ImaginePDF API, answered from a session's workspace.

`dispatch.Simulator.answer` takes every request that no rule took. Routes are
declared in `designs`, `assets`, `generation` and `batch`; credentials are
checked in `auth`; the state lives in `workspace` (built from a scenario's `starting` workspace); file
links are served by `links`; `openapi` describes it all.
"""
