"""A local stand-in for the Telegram Bot API, for tests and benchmarks (see server.py)."""

from tests.botapi.server import BotApiStandIn, Call, Delivery, Rejection
from tests.botapi.validate import ApiError

__all__ = ["ApiError", "BotApiStandIn", "Call", "Delivery", "Rejection"]
