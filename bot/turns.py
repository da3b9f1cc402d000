"""One turn, shared by every channel: decide the role, run the flow, apply effects, save.

All of it happens in one database transaction, so a crash at any moment leaves either the whole
turn or none of it. An optional inbox key (a Telegram update id, a script line) makes a turn
idempotent: a second delivery of the same key does nothing. A channel that sends replies later
(Telegram) passes ``outbox`` to store them in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import (
    dossier_view,
    i18n,
    koppeling_view,
    language_view,
    mentor_view,
    mijngegevens_view,
    ouder_view,
    roles,
    scheduling,
    student_view,
    thuis,
)
from bot.chart import Chart
from bot.identity import Identity
from flows import aanmelding, invoer, mentor, ouder, reflectie, safeguarding, tagging
from flows.events import Bericht, CodeGecontroleerd, Commando, Event
from flows.replies import (
    Antwoord,
    BeginErvaring,
    BreekErvaringAf,
    Effect,
    KiesTaal,
    LegErvaringVast,
    Reply,
    RondErvaringAf,
    Signaal,
    Turn,
    WordLeerling,
    WordMentor,
    WordOuder,
)
from flows.tagging import Tag
from flows.thuisopdrachten import EERSTE
from storage import accounts, dossier, inbox, ouders, reflecties, schools
from storage.accounts import AccountInfo
from storage.db import transaction

__all__ = ["Identity", "TurnResult", "already_processed", "current_question", "process_turn"]

MAX_RETRIES = 5
FLOWS: dict[str, Callable[[dict[str, Any] | None, Event], Turn]] = {
    "aanmelding": aanmelding.stap,
    "reflectie": reflectie.stap,
    "mentor": mentor.stap,
    "ouder": ouder.stap,
}
Outbox = Callable[[Session, AccountInfo, list[Reply | Chart]], None]


@dataclass
class TurnResult:
    """What a channel needs after a turn: the replies and where the conversation is now."""

    replies: list[Reply | Chart]
    state: str
    account: AccountInfo | None
    duplicate: bool = False
    effects: list[Effect] = field(default_factory=list)


def process_turn(
    engine: Engine,
    who: Identity,
    event: Event,
    key: str | None = None,
    outbox: Outbox | None = None,
) -> TurnResult:
    """Run one event through the person's flow and persist the outcome atomically."""
    for _attempt in range(MAX_RETRIES):
        try:
            with transaction(engine) as session:
                result = _turn(session, who, event, key)
                if outbox is not None and result.account is not None and result.replies:
                    outbox(session, result.account, result.replies)
                return result
        except (reflecties.VersionConflict, IntegrityError):
            # another worker saved this conversation (or created this account) first: run again
            continue
    raise RuntimeError("conversation kept changing under this turn")


def _turn(session: Session, who: Identity, event: Event, key: str | None) -> TurnResult:
    at = event.at
    if key is not None and not inbox.claim(session, key, at):
        return TurnResult([], "", None, duplicate=True)
    found = roles.decide(session, who, at)
    with i18n.language(found.account.language):  # the reader's language, set once per update
        return _for_role(session, who, found, event, at)


def _for_role(
    session: Session, who: Identity, found: reflecties.ChatState, event: Event, at: datetime
) -> TurnResult:
    account, saved, student = found.account, found.conversation, found.student
    version = saved["version"] if saved else None
    if account.role != "nieuw" and language_view.wants(event):
        replies, account = language_view.handle(session, account, event)
        return TurnResult(replies, (saved or {}).get("state", {}).get("state", ""), account)
    flow = roles.FLOW_OF_ROLE[account.role]
    state = saved["state"] if saved and saved["flow"] == flow else None
    experience_id = saved["experience_id"] if saved else None
    if flow == "mentor":
        replies = mentor_view.handle(session, account.id, event, at)
        reflecties.save_conversation(
            session, account.id, flow, {"state": "mentor"}, None, version, at
        )
        return TurnResult(replies, "mentor", account)
    if flow in ("aanmelding", "ouder"):
        event = _with_code_checked(session, who, event)
    if flow == "ouder":
        replies, state = ouder_view.handle(session, account.id, account.language, event, state, at)
        reflecties.save_conversation(session, account.id, flow, state, None, version, at)
        return TurnResult(list(replies), state["state"], account)
    if flow == "reflectie" and (state or {}).get("taal") != account.language:
        state = {**(state or {}), "taal": account.language}  # tag answers in their language
    student_id = student.id if student else None
    if flow == "reflectie" and student_id is not None:
        for view in (dossier_view, student_view, koppeling_view, mijngegevens_view):
            if view.wants(event, state):
                replies, state = view.handle(
                    session, student_id, account.id, event, state or {}, at
                )
                reflecties.save_conversation(
                    session, account.id, flow, state, experience_id, version, at
                )
                return TurnResult(replies, state.get("state", "start"), account)
    if flow == "reflectie" and student is not None and _waits_for_consent(session, student, event):
        return TurnResult([koppeling_view.consent_first()], (state or {}).get("state", ""), account)
    written = None
    if flow == "reflectie" and isinstance(event, Bericht) and len(event.text.split()) >= 4:
        written = i18n.detect(event.text)  # the language actually written, for the answer
    if written in tagging.languages() and written != account.language:
        # tag the words in the language they were written in (a newcomer writing Dutch)
        turn = FLOWS[flow]({**(state or {}), "taal": written}, event)
        turn.state["taal"] = account.language
    else:
        turn = FLOWS[flow](state, event)
    replies, effects = list(turn.replies), list(turn.effects)
    if written and (offer := language_view.offer(turn.state, account, written)):
        replies.append(offer)
    for effect in turn.effects:
        if isinstance(effect, WordLeerling):
            student_id = _become_student(session, account, effect, at)
            flow, turn = "reflectie", reflectie.stap(None, Commando("start", at))
            waits = ouders.needs_consent(session, student_id)
            replies += [koppeling_view.consent_first()] if waits else turn.replies
        elif isinstance(effect, WordMentor):
            schools.link_mentor(session, effect.mentor_id, account.id)
            schools.use_code(session, effect.code_id)
            accounts.set_role(session, account.id, "mentor")
            replies = [mentor.welkom()]
        elif isinstance(effect, WordOuder):
            flow, started = "ouder", _become_parent(session, account, effect, at)
            turn = replace(turn, state=started.state)
            replies += started.replies
        elif isinstance(effect, KiesTaal):
            accounts.set_language(session, account.id, effect.code)
            account = replace(account, language=effect.code)
    if student_id is not None and flow == "reflectie":
        language = written if written in i18n.available() else account.language
        experience_id = _apply(
            session, student_id, account.id, language, experience_id, turn.effects, at
        )
    reflecties.save_conversation(session, account.id, flow, turn.state, experience_id, version, at)
    return TurnResult(replies, turn.state["state"], account, effects=effects)


def _with_code_checked(session: Session, who: Identity, event: Event) -> Event:
    """A code from a deep link (/start CODE) or typed: look it up, throttled per chat."""
    if isinstance(event, Commando) and event.name == "start" and event.arg:
        code = event.arg
    elif isinstance(event, Bericht) and aanmelding.lijkt_code(event.text):
        code = event.text.strip()
    else:
        return event
    check = schools.check_code(session, code, event.at, who.channel, who.external_id)
    names = ("", "", "")
    child: tuple[int, str] | None = None
    consent = False
    if check.status == "ok" and check.purpose == "ouder" and check.code_id is not None:
        child = ouders.invite_of_code(session, check.code_id)
        consent = child is not None and ouders.needs_consent(session, child[0])
    elif check.status == "ok" and check.purpose == "klas":
        consent = ouders.school_asks_consent(session, check.school_id)
    if check.status == "ok" and check.class_id is not None:
        names = schools.names_for_class(session, check.class_id)
    elif check.status == "ok" and check.school_id is not None:
        names = ("", "", schools.school_name(session, check.school_id))
    return CodeGecontroleerd(
        check.status,
        event.at,
        check.purpose,
        check.code_id,
        check.school_id,
        check.class_id,
        check.mentor_id,
        *names,
        wait_seconds=check.wait_seconds,
        student_id=child[0] if child else None,
        leerling=_student_name(session, child[0]) if child else "",
        label=child[1] if child else "",
        toestemming=consent,
    )


def _waits_for_consent(session: Session, student: reflecties.StudentRef, event: Event) -> bool:
    """Nothing of a reflection is stored before a parent consented (where the school asks it);
    a worrying message still reaches the mentor: that duty of care comes first."""
    if isinstance(event, Bericht) and safeguarding.signaal(invoer.schoon(event.text)):
        return False
    return student.waits_for_consent and ouders.school_asks_consent(session, student.school_id)


def _student_name(session: Session, student_id: int) -> str:
    student = reflecties.student_by_id(session, student_id)
    return student.name if student else ""


def _become_parent(session: Session, account: AccountInfo, effect: WordOuder, at: datetime) -> Turn:
    """The parent's link to the child, and their first thuisopdracht at once."""
    schools.use_code(session, effect.code_id)
    accounts.set_role(session, account.id, "ouder")
    link_id = ouders.link(session, effect.student_id, account.id, effect.label, at)
    if effect.toestemming and ouders.needs_consent(session, effect.student_id):
        ouders.give_consent(session, effect.student_id, at)
        thuis.tell_consent(session, effect.student_id, link_id, at)
    assignment_id = ouders.assign(session, link_id, EERSTE, "koppeling", at)
    if assignment_id is not None:
        thuis.reached_parent(session, assignment_id, at)
    started = ouder_view.start_next(session, account.id, {"taal": account.language}, at)
    return started or Turn(ouder.nieuw(), [])


def _become_student(
    session: Session, account: AccountInfo, effect: WordLeerling, at: datetime
) -> int:
    schools.use_code(session, effect.code_id)
    accounts.set_role(session, account.id, "leerling")
    return reflecties.create_student(
        session,
        account.id,
        effect.name,
        at,
        school_id=effect.school_id,
        class_id=effect.class_id,
        under_16=effect.onder_16,
    )


def _apply(
    session: Session,
    student_id: int,
    account_id: int,
    language: str,
    experience_id: int | None,
    effects: list[Effect],
    at: datetime,
) -> int | None:
    """Persist a reflection turn's effects; returns the experience the conversation is now on."""
    last_answer: int | None = None
    for effect in effects:
        match effect:
            case BeginErvaring(kind=kind, place=place):
                experience_id = reflecties.start_experience(session, student_id, kind, place, at)
            case LegErvaringVast(place=place) if experience_id is not None:
                reflecties.set_experience_place(session, experience_id, place)
            case Antwoord():
                last_answer = reflecties.append_answer(
                    session,
                    student_id=student_id,
                    experience_id=experience_id,
                    language=language,
                    at=at,
                    **_fields(effect),
                )
                dossier.tag_answer(session, last_answer, _tag_rows(effect))
            case Signaal(category=category, question_key=question_key):
                flag = reflecties.flag_safeguarding(
                    session, student_id, last_answer, category, question_key, at
                )
                scheduling.alert_mentor(session, student_id, flag, at)
            case RondErvaringAf(competenties=competenties, entry=entry) if experience_id:
                reflecties.end_experience(session, experience_id, "afgerond", at)
                entry_id = dossier.add_entry(
                    session, student_id, "reflectie", entry, list(competenties), at, experience_id
                )
                scheduling.check_in_later(session, account_id, entry_id, entry, at)
                experience_id = None
            case BreekErvaringAf() if experience_id is not None:
                reflecties.end_experience(session, experience_id, "afgebroken", at)
                experience_id = None
    return experience_id


def _tag_rows(answer: Antwoord) -> list[tuple[str, str, float, list[str]]]:
    """Each source of each tag as its own row, so a mentor can see why a tag is there; the
    evidence goes with the source that found it (the lexicon's words, else the model's, else
    the question's)."""
    return [
        (tag.competency, source, confidence, list(tag.evidence) if source == _vinder(tag) else [])
        for tag in answer.tags
        for source, confidence in tag.sources.items()
    ]


def _vinder(tag: Tag) -> str | None:
    return next((s for s in ("woorden", "model", "vraag") if s in tag.sources), None)


def _fields(answer: Antwoord) -> dict[str, Any]:
    return {
        "question_key": answer.question_key,
        "phase": answer.phase,
        "kind": answer.kind,
        "part": answer.part,
        "text": answer.text,
        "choice": answer.choice,
        "media_ref": answer.media_ref,
        "due": answer.due,
        "flagged": answer.flagged,
    }


def warm_up() -> None:
    """Load the lexicons, the lemma dictionaries, the language models and the catalogs now,
    so the first people do not wait for them (loading takes a second or two)."""
    for code in i18n.available():
        i18n.catalog(code)
    i18n.detect("Ik heb vandaag bij een bedrijf meegeholpen en veel gezien.")
    for code in tagging.languages():
        tagging.tag("ik heb klanten geholpen", code)


def current_question(engine: Engine, who: Identity) -> tuple[list[Reply], str]:
    """What the person sees now (after a restart): the current question, without a turn."""
    with transaction(engine) as session:
        account = accounts.find_account(session, who.channel, who.external_id)
        saved = reflecties.load_conversation(session, account.id) if account else None
    if saved is None or saved["flow"] != "reflectie":
        return [], saved["state"]["state"] if saved else "start"
    return reflectie.toon(saved["state"]), saved["state"]["state"]


def already_processed(engine: Engine, key: str) -> bool:
    """Whether a turn with this inbox key was committed before (a replayed script line)."""
    with transaction(engine) as session:
        return inbox.is_processed(session, key)
