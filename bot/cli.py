"""The one entry point: ``lobbot``. Commands are wired here; the work lives in their modules."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot import i18n
from bot.admin import admin_app
from bot.console import Console, run_interactive, run_script
from bot.privacy_cli import privacy_app
from bot.turns import Identity
from storage.db import database_url, open_database

app = typer.Typer(
    help="lobbot: korte loopbaangesprekken na een LOB-ervaring.", no_args_is_help=True
)
bench_app = typer.Typer(help="Benchmarks; each prints JSON.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluations; each prints JSON.", no_args_is_help=True)
train_app = typer.Typer(help="Learn models from labelled data.", no_args_is_help=True)
dossier_app = typer.Typer(help="The loopbaandossier.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(admin_app, name="admin")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(dossier_app, name="dossier")
app.add_typer(privacy_app, name="privacy")

DbOption = Annotated[
    Path | None, typer.Option("--db", help="SQLite file (default lobbot.db; DATABASE_URL wins).")
]


@app.command()
def chat(
    db: DbOption = None,
    user: Annotated[str, typer.Option("--user", help="First name or nickname.")] = "",
    lang: Annotated[str, typer.Option("--lang", help="Language of the conversation.")] = "nl",
    role: Annotated[str, typer.Option("--role", help="student or mentor.")] = "student",
    mentor: Annotated[
        int | None, typer.Option("--mentor", help="With --role mentor: the mentor id to act as.")
    ] = None,
    script: Annotated[Path | None, typer.Option("--script", help="Replay this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per message.")] = False,
) -> None:
    """A conversation in the terminal, on the embedded database (or DATABASE_URL)."""
    if role not in ("student", "mentor"):
        raise typer.BadParameter("student or mentor", param_hint="--role")
    if lang not in i18n.available():
        raise typer.BadParameter(
            f"choose one of {', '.join(i18n.available())}", param_hint="--lang"
        )
    name = user or getpass.getuser() or "leerling"
    engine = open_database(database_url(db) if db else database_url())
    if role == "mentor":
        if mentor is None:
            raise typer.BadParameter("which mentor? (see lobbot admin list)", param_hint="--mentor")
        _console_mentor(engine, name, lang, mentor)
    console = Console(engine, Identity("console", name, name, lang), sys.stdout, as_json)
    first = "/leerlingen" if role == "mentor" else "/start"
    if script is not None:
        run_script(console, script.read_text(encoding="utf-8").splitlines())
    else:
        run_interactive(console, first=first)


def _console_mentor(engine, name: str, lang: str, mentor_id: int) -> None:  # type: ignore[no-untyped-def]
    """Let a console user act as an existing mentor, to try the mentor commands."""
    from datetime import UTC, datetime

    from storage import accounts, schools
    from storage.db import transaction
    from storage.models import Mentor

    with transaction(engine) as session:
        if session.get(Mentor, mentor_id) is None:
            raise typer.BadParameter(f"no mentor #{mentor_id}", param_hint="--mentor")
        account = accounts.find_account(session, "console", name) or accounts.create_account(
            session, "console", name, "mentor", lang, datetime.now(UTC)
        )
        accounts.set_role(session, account.id, "mentor")
        schools.link_mentor(session, mentor_id, account.id)


@app.command()
def run(
    db: DbOption = None,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="Public HTTPS URL: webhook mode.")
    ] = None,
    listen: Annotated[str, typer.Option("--listen", help="Address the webhook binds.")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port", help="Port the webhook listens on.")] = 8443,
    register_webhook: Annotated[
        bool, typer.Option(help="Call setWebhook (leave it to one worker when running several).")
    ] = True,
) -> None:
    """The Telegram bot: long polling, or a webhook with --webhook-url."""
    import asyncio

    from bot.settings import Settings
    from bot.telegram.serve import WebhookOptions, configure_logging, serve

    settings = Settings()
    if settings.telegram_bot_token is None:
        raise typer.BadParameter("set TELEGRAM_BOT_TOKEN (or use `lobbot chat` without Telegram)")
    configure_logging()
    engine = open_database(database_url(db) if db else database_url())
    webhook = WebhookOptions(webhook_url, listen, port, register_webhook) if webhook_url else None
    asyncio.run(serve(engine, settings, webhook))


@app.command()
def tag(
    text: Annotated[str, typer.Argument(help="A student's answer.")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the text.")] = "nl",
    question: Annotated[
        str | None, typer.Option("--question", help="Question key, to add its aim.")
    ] = None,
) -> None:
    """Print the competency tags of a text as JSON."""
    from flows import bank, tagging

    if lang not in tagging.languages():
        raise typer.BadParameter(
            f"choose one of {', '.join(tagging.languages())}", param_hint="--lang"
        )
    vraag = bank.VRAAG.get(question or "")
    aims = [c.value for c in vraag.aims] if vraag else []
    tags = [
        {
            "competency": t.competency,
            "confidence": t.confidence,
            "evidence": list(t.evidence),
            "sources": t.sources,
        }
        for t in tagging.tag(
            text,
            lang,
            aims,
            vraag.toont.value if vraag and vraag.toont else None,
            vraag=vraag.key if vraag else None,
        )
    ]
    print(json.dumps({"tags": tags}, ensure_ascii=False))


@eval_app.command("tagging")
def eval_tagging(
    file: Annotated[Path, typer.Argument(help='JSONL lines {"lang", "text", "tags": [...]}.')],
) -> None:
    """Precision, recall and F1 per competency and micro-averaged, per language."""
    from bot.evaluation import evaluate

    print(json.dumps(evaluate(file), indent=2, ensure_ascii=False))


@train_app.command("tagging")
def train_tagging(
    files: Annotated[list[Path], typer.Argument(help="Labelled JSONL files to learn from.")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the model.")] = "nl",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (default flows/data/leermodel_<lang>.tsv)."),
    ] = None,
) -> None:
    """Learn the tagging model of a language (needs the development extras: scikit-learn)."""
    from bot.training import train

    try:
        text = train(files, lang)
    except ModuleNotFoundError as error:
        raise typer.BadParameter(f"{error.name} is missing: pip install -e '.[dev]'") from error
    target = out or Path("flows/data") / f"leermodel_{lang}.tsv"
    target.write_text(text, encoding="utf-8")
    print(json.dumps({"written": target.as_posix(), "lines": text.count("\n")}))


@dossier_app.command("export")
def dossier_export(
    student: Annotated[int, typer.Option("--student", help="Student id.")],
    fmt: Annotated[str, typer.Option("--format", help="html or json.")] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """A student's dossier: HTML for people (phone, A4), JSON for the mbo (versioned schema)."""
    from datetime import UTC, datetime

    from bot import export
    from storage.db import transaction

    if fmt not in ("html", "json"):
        raise typer.BadParameter("html or json", param_hint="--format")
    engine = open_database(database_url(db) if db else database_url())
    with transaction(engine) as session:
        try:
            built = export.build(session, student, datetime.now(UTC))
        except LookupError as error:
            raise typer.BadParameter(str(error), param_hint="--student") from error
    text = export.to_html(built) if fmt == "html" else export.to_json(built)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")


@bench_app.command("telegram")
def bench_telegram(
    students: Annotated[int, typer.Option("--students", help="Students reflecting at once.")] = 300,
    think: Annotated[float, typer.Option("--think", help="Mean seconds between messages.")] = 1.0,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            help="Webhook worker processes on one database, e.g. 4, or 1,2,4 for one run each.",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="sqlite, postgresql (a throwaway server, a fresh database per run) or a URL.",
        ),
    ] = None,
) -> None:
    """The real bot against the Bot API stand-in, compared with a bare echo bot; or, with
    --workers, several webhook workers sharing one database (throughput and p99 per count)."""
    from bot.bench_telegram import telegram_benchmark, workers_benchmark

    if workers is None:
        if database == "postgresql":
            raise typer.BadParameter("postgresql goes with --workers", param_hint="--database")
        url = None if database in (None, "sqlite") else database
        if url is not None:
            url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        print(json.dumps(telegram_benchmark(students, think, url), indent=2))
        return
    try:
        counts = [int(n) for n in workers.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise typer.BadParameter("one or more worker counts, such as 4 or 1,2,4")
    print(json.dumps(workers_benchmark(students, think, counts, database), indent=2))


@bench_app.command("engine")
def bench_engine(
    students: Annotated[int, typer.Option("--students", help="Simulated students.")] = 1000,
    db: DbOption = None,
    together: Annotated[
        bool,
        typer.Option(
            "--group-commit/--one-by-one",
            help="Students write at once and waiting turns share a commit (as in the bot), "
            "or one turn at a time, each its own commit.",
        ),
    ] = True,
) -> None:
    """N students each complete a full reflection through flows and storage."""
    from bot.bench import engine_benchmark

    print(json.dumps(engine_benchmark(students, db, together), indent=2))


if __name__ == "__main__":
    app()
