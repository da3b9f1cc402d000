"""A local stand-in for the Telegram Bot API (see server.py)."""

from tests.standin.server import StandIn

__all__ = ["StandIn"]
