"""The HTTP gateway's pure parts: body rendering, status classes, Retry-After, provider ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ivr.notify.gateway import (
    DEFAULT_BODY_TEMPLATE,
    HttpGatewayConfig,
    HttpSmsGateway,
    SmsMessage,
    TemplateError,
    _provider_id,
    check_template,
    classify_status,
    parse_retry_after,
    render_body,
)

MSG = SmsMessage(to="+447700900123", body="hello", reference="sms-abc", sender="Police101")


def test_the_default_template_fills_every_placeholder() -> None:
    assert json.loads(render_body(DEFAULT_BODY_TEMPLATE, MSG)) == {
        "to": "+447700900123",
        "from": "Police101",
        "body": "hello",
        "reference": "sms-abc",
    }


def test_quotes_backslashes_newlines_and_emoji_in_the_body_stay_valid_json() -> None:
    body = 'He said "call me" \\ C:\\path\nline two \u2603 \U0001f600 </script>'
    rendered = render_body(DEFAULT_BODY_TEMPLATE, SmsMessage("+447700900123", body, "r"))
    assert json.loads(rendered)["body"] == body


def test_placeholders_are_filled_once_so_a_body_that_looks_like_one_is_left_alone() -> None:
    rendered = render_body(
        DEFAULT_BODY_TEMPLATE, SmsMessage("+447700900123", "{to} {reference}", "r")
    )
    assert json.loads(rendered)["body"] == "{to} {reference}"


def test_nested_templates_and_placeholders_inside_text_work() -> None:
    template = (
        '{"messages": [{"destinations": [{"to": "{to}"}], "text": "101: {body}",'
        ' "client_ref": "{reference}", "flash": false, "validity": 1440}]}'
    )
    doc = json.loads(render_body(template, MSG))
    message = doc["messages"][0]
    assert message["destinations"] == [{"to": "+447700900123"}]
    assert message["text"] == "101: hello"
    assert message["flash"] is False
    assert message["validity"] == 1440


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{"to": {to}}', "not JSON"),
        ('{"to": "{to}", "msg": "{text}"}', "unknown placeholder"),
    ],
)
def test_bad_templates_are_refused(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        check_template(template)


def test_a_bad_template_is_refused_when_the_gateway_is_built() -> None:
    with pytest.raises(TemplateError):
        HttpSmsGateway(HttpGatewayConfig(url="http://x", body_template="nope"))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "sent"),
        (201, "sent"),
        (202, "sent"),
        (204, "failed"),  # not configured as success: may have been taken, never resend
        (400, "failed"),
        (401, "failed"),
        (403, "failed"),
        (404, "failed"),
        (422, "failed"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (502, "retry"),
        (503, "retry"),
        (504, "retry"),
    ],
)
def test_status_classes(status: int, expected: str) -> None:
    assert classify_status(status, {200, 201, 202}) == expected


def test_retry_after_in_seconds_or_as_a_date_and_capped_at_an_hour() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Tue, 24 Nov 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 24 Nov 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("86400") == 3600.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_provider_ids_are_read_from_a_dotted_path_or_left_empty() -> None:
    assert _provider_id('{"id": "m-1"}', "id") == "m-1"
    assert _provider_id('{"messages": [{"message-id": 42}]}', "messages.0.message-id") == "42"
    assert _provider_id("OK", "id") == ""
    assert _provider_id('{"id": {"x": 1}}', "id") == ""
    assert _provider_id('{"id": "m-1"}', "") == ""


def test_the_auth_value_is_not_in_the_repr() -> None:
    config = HttpGatewayConfig(url="http://x", auth_value="Bearer s3cret")
    assert "s3cret" not in repr(config)
    assert "s3cret" not in repr(HttpSmsGateway(config))
