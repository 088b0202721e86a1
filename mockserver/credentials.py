"""Credentials as they may be shown: the one masker for answers, journal entries, explanations and messages.

A masked credential keeps the public `pc_live_` prefix of an API key and, when
at least 8 characters stay hidden, its last 4 characters (enough to tell two
keys apart); an `Authorization` value keeps its scheme (`Bearer …oken`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "x-mock-admin-token"})
"""Headers (lowercase) whose values are credentials and are only ever shown masked."""
KEY_PREFIX = "pc_live_"
SHOWN = 4
"""Characters shown at the end of a masked credential."""
HIDDEN = 8
"""Characters a masked credential hides at least; a shorter one shows none."""
_API_KEY = re.compile(r"pc_live_[A-Za-z0-9]{20}")


def mask(secret: str) -> str:
    """`secret` as it may be shown: never in full (`pc_live_…0001`, `…oken`, or only `…`)."""
    prefix = KEY_PREFIX if secret.startswith(KEY_PREFIX) else ""
    rest = secret[len(prefix) :]
    tail = rest[-SHOWN:] if len(rest) >= SHOWN + HIDDEN else ""
    return f"{prefix}…{tail}"


def mask_header(name: str, value: str) -> str:
    """The value of header `name` (lowercase) as it may be shown: masked when it is a credential."""
    if name not in CREDENTIAL_HEADERS:
        return value
    scheme, space, token = value.strip().partition(" ")
    if space and name.endswith("authorization") and token.strip():
        return f"{scheme} {mask(token.strip())}"
    return mask(value.strip())


def credentials_in(headers: Mapping[str, str]) -> list[str]:
    """The credentials a request carries in its headers (a bearer token without its scheme)."""
    found = []
    for name in CREDENTIAL_HEADERS & headers.keys():
        value = headers[name].strip()
        _, space, token = value.partition(" ")
        found.append(token.strip() if space and name.endswith("authorization") else value)
    return [secret for secret in found if secret]


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every API key and each of `secrets` (of 8 characters or more: a shorter one could be any
    word of the text) in it masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= HIDDEN and secret in text:
            text = text.replace(secret, mask(secret))
    return _API_KEY.sub(lambda found: mask(found.group()), text)
