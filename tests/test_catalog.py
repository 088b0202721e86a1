"""The catalog holds exactly the 20 documented codes, and builds both envelopes."""

from __future__ import annotations

import json

import pytest

from mockserver import catalog

DOCUMENTED = {
    "VALIDATION_ERROR": 400,
    "INVALID_INPUT": 400,
    "MISSING_REQUIRED_FIELD": 400,
    "UNAUTHORIZED": 401,
    "INVALID_API_KEY": 401,
    "API_KEY_EXPIRED": 401,
    "INVALID_TOKEN": 401,
    "TOKEN_EXPIRED": 401,
    "PAYMENT_REQUIRED": 402,
    "INSUFFICIENT_CREDITS": 402,
    "FORBIDDEN": 403,
    "INSUFFICIENT_PERMISSIONS": 403,
    "NOT_FOUND": 404,
    "DESIGN_NOT_FOUND": 404,
    "PDF_NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "DUPLICATE_ENTRY": 409,
    "INTERNAL_ERROR": 500,
    "DATABASE_ERROR": 500,
    "S3_ERROR": 500,
}


def test_catalog_has_exactly_the_documented_codes_in_order() -> None:
    assert list(catalog.CODES) == list(DOCUMENTED)


@pytest.mark.parametrize(("code", "status"), DOCUMENTED.items())
def test_each_code_has_its_documented_status_and_a_message(code: str, status: int) -> None:
    entry = catalog.lookup(code)
    assert entry.code == code
    assert entry.status == status
    assert entry.message.strip()
    assert entry.when.strip()


def test_documented_message_for_insufficient_credits() -> None:
    assert catalog.CODES["INSUFFICIENT_CREDITS"].message == "Workspace does not have enough credits."


@pytest.mark.parametrize("code", DOCUMENTED)
def test_error_envelope_shape(code: str) -> None:
    envelope = catalog.error_envelope(code)
    assert envelope == {
        "status": "error",
        "data": None,
        "error": {"code": code, "message": catalog.CODES[code].message},
    }


def test_error_envelope_with_custom_message() -> None:
    envelope = catalog.CODES["NOT_FOUND"].envelope("No such thing.")
    assert envelope["error"] == {"code": "NOT_FOUND", "message": "No such thing."}


def test_error_envelope_keeps_an_empty_custom_message() -> None:
    assert catalog.error_envelope("FORBIDDEN", "")["error"]["message"] == ""


def test_success_envelope_shape() -> None:
    assert catalog.success_envelope({"a": 1}) == {"status": "success", "data": {"a": 1}, "error": None}
    assert catalog.success_envelope(None) == {"status": "success", "data": None, "error": None}


def test_encode_is_compact_utf8_json() -> None:
    body = catalog.encode(catalog.success_envelope({"name": "Ünïcode"}))
    assert body == '{"status":"success","data":{"name":"Ünïcode"},"error":null}'.encode()
    assert json.loads(body)["data"]["name"] == "Ünïcode"


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("INSUFICIENT_CREDITS", "INSUFFICIENT_CREDITS"),
        ("insufficient_credits", "INSUFFICIENT_CREDITS"),
        ("API_KEY_EXPIRD", "API_KEY_EXPIRED"),
        ("DESIGN_NOTFOUND", "DESIGN_NOT_FOUND"),
    ],
)
def test_suggest_finds_the_nearest_code(typo: str, suggestion: str) -> None:
    assert catalog.suggest(typo) == suggestion


def test_suggest_gives_nothing_for_unrelated_text() -> None:
    assert catalog.suggest("BANANA") is None


def test_lookup_of_unknown_code_names_it_and_the_nearest() -> None:
    with pytest.raises(KeyError, match=r"unknown error code 'S3_ERORR' \(did you mean 'S3_ERROR'\?\)"):
        catalog.lookup("S3_ERORR")
