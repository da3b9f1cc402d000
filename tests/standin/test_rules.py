"""The stand-in's rules held against the official Bot API description, and its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from tests.standin import StandIn
from tests.standin.rules import RULES

API_JSON = Path(__file__).resolve().parents[2].parent / "shared" / "telegram-bot-api" / "api.json"


@pytest.fixture(scope="module")
def official() -> dict:
    if not API_JSON.exists():
        pytest.skip("the official Bot API description is not beside the project (it is in CI)")
    return json.loads(API_JSON.read_text(encoding="utf-8"))


def test_every_method_and_field_exists_in_the_official_description(official: dict) -> None:
    methods = official["methods"]
    for name, fields in RULES.items():
        assert name in methods, f"{name} is not a Bot API method"
        theirs = {f["name"]: f for f in methods[name].get("fields", [])}
        for field, (types, _required) in fields.items():
            assert field in theirs, f"{name}.{field} is not in the Bot API"
            official_types = set(theirs[field]["types"])
            assert set(types) <= official_types, f"{name}.{field}: {types} vs {official_types}"


def test_required_fields_match_the_official_description_exactly(official: dict) -> None:
    for name, fields in RULES.items():
        required = {f["name"] for f in official["methods"][name].get("fields", []) if f["required"]}
        ours = {field for field, (_t, req) in fields.items() if req}
        assert ours == required, f"{name}: required {sorted(ours)} vs official {sorted(required)}"


async def _call(api: StandIn, method: str, body: dict) -> tuple[int, dict]:
    url = f"{api.base_url}{api.token}/{method}"
    async with aiohttp.ClientSession() as client, client.post(url, json=body) as response:
        return response.status, await response.json()


async def test_what_telegram_refuses_is_refused() -> None:
    async with StandIn() as api:
        await api.user_sends_text(7, "hoi")
        ok = {"chat_id": 7, "text": "hallo"}
        cases = [
            ("sendMesage", ok, 404),
            ("sendMessage", {"text": "x"}, 400),
            ("sendMessage", {"chat_id": 7, "text": "x" * 4097}, 400),
            ("sendMessage", {"chat_id": 7, "text": ""}, 400),
            ("sendMessage", {"chat_id": 8, "text": "x"}, 400),  # a chat that never wrote
            ("sendMessage", {**ok, "parse_mode": "HTML", "text": "a & b"}, 400),
            ("sendMessage", {**ok, "parse_mode": "HTML", "text": "<b>x"}, 400),
            ("sendMessage", {**ok, "parse_mode": "HTML", "text": "<div>x</div>"}, 400),
            (
                "sendMessage",
                {
                    **ok,
                    "reply_markup": {
                        "inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]
                    },
                },
                400,
            ),
            (
                "sendMessage",
                {**ok, "reply_markup": {"inline_keyboard": [{"text": "a", "callback_data": "x"}]}},
                400,
            ),
            ("setMyCommands", {"commands": [{"command": "Start!", "description": "x"}]}, 400),
            ("sendMessage", {**ok, "parse_mode": "HTML", "text": "<b>a &amp; b</b> &lt;3"}, 200),
            (
                "sendMessage",
                {
                    **ok,
                    "reply_markup": {
                        "inline_keyboard": [[{"text": "a", "callback_data": "x" * 64}]]
                    },
                },
                200,
            ),
        ]
        for method, body, expected in cases:
            status, answer = await _call(api, method, body)
            assert status == expected, (method, body, answer)
            assert answer["ok"] is (expected == 200)
        assert len(api.rejected) == 11


async def test_long_polling_confirms_with_the_offset() -> None:
    async with StandIn() as api:
        first = await api.user_sends_text(7, "een")
        await api.user_sends_text(7, "twee")
        _status, batch = await _call(api, "getUpdates", {})
        assert [u["update_id"] for u in batch["result"]] == [
            first["update_id"],
            first["update_id"] + 1,
        ]
        _status, again = await _call(api, "getUpdates", {"offset": first["update_id"] + 1})
        assert [u["update_id"] for u in again["result"]] == [first["update_id"] + 1]
