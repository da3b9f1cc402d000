"""Configuration from the environment (secrets never come from files in the repository)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.privacy import DEFAULT_RETENTION_YEARS


class Settings(BaseSettings):
    """Everything ``lobbot run`` reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    # Another Bot API server: a self-hosted telegram-bot-api, or the test stand-in.
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    telegram_bot_username: str | None = None  # for printing t.me links; asked of Telegram if unset
    # Telegram allows a bot about 30 messages a second overall; the limiter keeps below it.
    telegram_max_messages_per_second: float = 30.0
    scheduler_interval_seconds: float = 20.0  # how often due summaries and reminders are sent
    reminder_after_hours: float = 48.0  # an unfinished reflection gets one reminder after this
    # years data is kept after a student left, where the school set no ``bewaartermijn_jaren``
    retention_years: float = DEFAULT_RETENTION_YEARS
    database_url: str | None = None
    timezone: str = "Europe/Amsterdam"
