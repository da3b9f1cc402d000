"""Parents: a child invites them, they answer thuisopdrachten in their own language, the answers
land in the child's dossier; links can be ended, families cannot reach each other, and reminders
come at most twice and never in quiet hours."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot import i18n, scheduling
from bot.turns import Identity, TurnResult, process_turn
from flows.events import Bericht, Commando, Knop, Spraak
from flows.replies import Reply
from flows.stille_uren import uit_instellingen
from flows.thuisopdrachten import THUISOPDRACHTEN
from storage import dossier, ouders, reflecties
from storage.db import transaction
from tests.bot.test_mentor import Outbox, render
from tests.bot.test_mentor import school as school

CODE = re.compile(r"code: \u2068?([A-Za-z0-9_-]{16})")


def buttons(result: TurnResult) -> list[str]:
    return [b.value for r in result.replies if isinstance(r, Reply) for b in r.buttons]


def invite(engine: Engine, child: Identity, now: datetime, wie: str = "moeder") -> str:
    """The child asks for an invite through /ouder and its buttons; returns the code."""
    overview = process_turn(engine, child, Commando("ouder", now))
    assert "u:n" in buttons(overview)
    asked = process_turn(engine, child, Knop("u:n", 0, now))
    assert f"u:n:{wie}" in buttons(asked)
    made = process_turn(engine, child, Knop(f"u:n:{wie}", 0, now))
    found = CODE.search(render(made.replies))
    assert found, render(made.replies)
    return found[1]


def accept(engine: Engine, parent: Identity, code: str, now: datetime, taal: str) -> TurnResult:
    """The parent opens the invite, picks a language and reads the privacy notice."""
    opened = process_turn(engine, parent, Commando("start", now, code))
    assert f"t:{taal}" in buttons(opened), render(opened.replies)
    chosen = process_turn(engine, parent, Knop(f"t:{taal}", 0, now))
    assert "!akkoord" in buttons(chosen)
    return process_turn(engine, parent, Knop("!akkoord", 0, now))


def answer_all(engine: Engine, parent: Identity, first: TurnResult, now: datetime) -> TurnResult:
    """Answer every prompt: the first choice where there are buttons, a sentence otherwise."""
    result = first
    for step in range(6):
        if result.state != "vraag" or (step and "Dank u wel" in render(result.replies)):
            return result
        choices = [v for v in buttons(result) if v.startswith("o:")]
        event = (
            Knop(choices[0], 0, now)
            if choices
            else Bericht(
                "Ze helpt graag mensen en werkt netjes, ze wil later in de zorg werken", now
            )
        )
        result = process_turn(engine, parent, event)
    return result


def student_id(engine: Engine, who: Identity) -> int:
    with transaction(engine) as session:
        found = reflecties.student_of_chat(session, who.channel, who.external_id)
    assert found is not None
    return found


def entries(engine: Engine, who: Identity, source: str = "ouder") -> list[Any]:
    with transaction(engine) as session:
        found = dossier.entries_of_student(session, student_id(engine, who))
    return [e for e in found if e.source == source]


def test_a_child_invites_a_parent_who_answers_the_first_thuisopdracht(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    code = invite(engine, school["Sara"], now)
    parent = Identity("telegram", "700", "")
    first = accept(engine, parent, code, now, "nl")
    text = render(first.replies)
    assert first.state == "vraag" and "Waar is Sara goed in" in text, text
    done = answer_all(engine, parent, first, now)
    assert "Uw antwoorden staan nu in het loopbaandossier van Sara" in render(done.replies)
    [entry] = entries(engine, school["Sara"])
    assert {"kwaliteiten", "motieven"} <= set(entry.competencies)
    answers = entry.content["thuisopdracht"]["antwoorden"]
    assert answers["goed"] == {"keuze": "helpen"}
    assert "zorg" in answers["voorbeeld"]["tekst"]
    assert entry.content["thuisopdracht"]["door"] == "moeder"
    # the child hears about it, and reads it in /dossier
    outbox = Outbox()
    scheduling.run_due(engine, now + timedelta(minutes=1), outbox)
    told = render([m for batch in outbox.to(school["Sara"].external_id) for m in batch])
    assert "Je moeder heeft de thuisopdracht “Sterke kanten” beantwoord" in told
    view = render(process_turn(engine, school["Sara"], Commando("dossier", now)).replies)
    assert "Thuisopdracht “Sterke kanten”" in view and "zorg werken" in view
    sara = student_id(engine, school["Sara"])
    summary = render(
        process_turn(engine, school["a"], Commando("samenvatting", now, str(sara))).replies
    )
    assert "Thuisopdracht “Sterke kanten”, van een ouder" in summary and "zorg werken" in summary


def test_an_invite_works_once_and_the_child_sees_and_ends_the_link(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    code = invite(engine, school["Sara"], now, "vader")
    accept(engine, Identity("telegram", "700", ""), code, now, "nl")
    again = process_turn(engine, Identity("telegram", "701", ""), Commando("start", now, code))
    assert "al gebruikt" in render(again.replies)
    overview = process_turn(engine, school["Sara"], Commando("ouder", now))
    assert "Je vader (sinds 23-11-2026)" in render(overview.replies)
    [stop] = [v for v in buttons(overview) if v.startswith("u:x:")]
    # another child cannot end Sara's link with the same button
    process_turn(engine, school["Yusuf"], Knop(stop, 0, now))
    with transaction(engine) as session:
        assert len(ouders.links_of_student(session, student_id(engine, school["Sara"]))) == 1
    ended = process_turn(engine, school["Sara"], Knop(stop, 0, now))
    assert "krijgt niets meer" in render(ended.replies)
    later = process_turn(engine, Identity("telegram", "700", ""), Bericht("Hallo?", now))
    assert "niet gekoppeld" in render(later.replies)
    # nothing more reaches the revoked parent: no reminders, no new thuisopdracht
    process_turn(engine, school["Sara"], Knop("u:t:beroepen", 0, now))
    outbox = Outbox()
    for hour in range(0, 24 * 8, 3):
        scheduling.run_due(engine, now + timedelta(hours=hour), outbox)
    assert outbox.to("700") == []
    assert entries(engine, school["Sara"]) == []


@pytest.mark.parametrize("taal", ["nl", "ar"])
def test_a_parent_answers_each_of_the_five_thuisopdrachten(
    engine: Engine, school: dict[str, Identity], now: datetime, taal: str
) -> None:
    parent = Identity("telegram", "700", "")
    first = accept(engine, parent, invite(engine, school["Sara"], now), now, taal)
    answer_all(engine, parent, first, now)
    mentor = school["a"]
    outbox = Outbox()
    moment = now
    for opdracht in THUISOPDRACHTEN[1:]:
        asked = process_turn(engine, mentor, Commando("thuisopdracht", moment))
        assert f"m:t:{opdracht.key}" in buttons(asked)
        sent = process_turn(engine, mentor, Knop(f"m:t:{opdracht.key}", 0, moment))
        assert "Verstuurd naar 1 ouder" in render(sent.replies), render(sent.replies)
        moment += timedelta(minutes=5)
        scheduling.run_due(engine, moment, outbox)
        [delivered] = outbox.to("700")[-1:]
        first_prompt = TurnResult([m for m in delivered if isinstance(m, Reply)], "vraag", None)
        assert any(v.startswith("o:") for v in buttons(first_prompt)) or opdracht.key in (
            "netwerk",
            "keuze",
        )
        if taal == "ar":
            assert render_in(delivered, "ar").startswith("\u200f")  # right-to-left from the start
        done = answer_all(engine, parent, first_prompt, moment)
        assert done.state == "wacht", render(done.replies)
    found = entries(engine, school["Sara"])
    assert [e.content["thuisopdracht"]["opdracht"] for e in found] == [
        t.key for t in THUISOPDRACHTEN
    ]
    for entry, opdracht in zip(found, THUISOPDRACHTEN, strict=True):
        assert {c.value for c in opdracht.competenties} <= set(entry.competencies)
        assert entry.content["thuisopdracht"]["taal"] == taal
    assert entries(engine, school["Yusuf"]) == []  # another family's child got nothing


def render_in(messages: list[Any], taal: str) -> str:
    with i18n.language(taal, False):
        return "\n".join(
            i18n.tr(line) for m in messages if isinstance(m, Reply) for line in m.lines
        )


def test_a_parent_cannot_reach_another_family(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    sara_parent, yusuf_parent = Identity("telegram", "700", ""), Identity("telegram", "701", "")
    first = accept(engine, sara_parent, invite(engine, school["Sara"], now), now, "nl")
    accept(engine, yusuf_parent, invite(engine, school["Yusuf"], now), now, "nl")
    # Yusuf's parent presses a button of Sara's parent's thuisopdracht
    stolen = next(v for v in buttons(first) if v.startswith("o:"))
    pressed = process_turn(engine, yusuf_parent, Knop(stolen, 0, now))
    assert "al voorbij" in render(pressed.replies)
    assert entries(engine, school["Sara"]) == []
    # guessing codes is slowed down and never links
    for attempt in range(4):
        guess = process_turn(
            engine, yusuf_parent, Commando("start", now, f"Gu3ssed-code-{attempt}x")
        )
    assert "Te vaak" in render(guess.replies)
    with transaction(engine) as session:
        mine = ouders.links_of_parent(session, _account(session, yusuf_parent))
    assert [link.child for link in mine] == ["Yusuf"]
    # a parent never sees the child's reflections, unless the child shares one
    for command in ("dossier", "samenvatting", "leerlingen"):
        shown = render(process_turn(engine, yusuf_parent, Commando(command, now, "1")).replies)
        assert "loopbaandossier" not in shown.lower() or "thuisopdracht" in shown.lower()


def _account(session: Any, who: Identity) -> int:
    from storage import accounts

    found = accounts.find_account(session, who.channel, who.external_id)
    assert found is not None
    return found.id


def test_a_child_shares_a_reflection_with_a_parent(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    from tests.bot.test_mentor import reflect

    parent = Identity("telegram", "700", "")
    answer_all(
        engine, parent, accept(engine, parent, invite(engine, school["Sara"], now), now, "nl"), now
    )
    reflect(engine, school["Sara"], now)
    outbox = Outbox()
    scheduling.run_due(engine, now + timedelta(minutes=1), outbox)
    before = render([m for batch in outbox.to("700") for m in batch])
    assert "deelt dit" not in before
    shared = process_turn(engine, school["Sara"], Knop("u:d", 0, now))
    assert "Gedeeld met 1 ouder" in render(shared.replies)
    scheduling.run_due(engine, now + timedelta(minutes=2), outbox)
    after = render([m for batch in outbox.to("700") for m in batch])
    assert "Sara deelt dit uit het loopbaandossier met u" in after


def test_a_parent_of_two_children_answers_for_each(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    parent = Identity("telegram", "700", "")
    first = accept(engine, parent, invite(engine, school["Sara"], now), now, "nl")
    linked = process_turn(
        engine, parent, Commando("start", now, invite(engine, school["Lotte"], now))
    )
    assert "ook gekoppeld aan Lotte" in render(linked.replies)
    assert linked.state == "vraag"  # still answering for Sara first
    done = answer_all(engine, parent, first, now)
    assert "Waar is Lotte goed in" in render(done.replies)  # then Lotte's starts at once
    answer_all(engine, parent, done, now)
    assert len(entries(engine, school["Sara"])) == 1
    assert len(entries(engine, school["Lotte"])) == 1


def test_reminders_at_most_twice_and_never_in_quiet_hours(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    parent = Identity("telegram", "700", "")
    accept(engine, parent, invite(engine, school["Sara"], now), now, "nl")
    outbox = Outbox()
    quiet = uit_instellingen(None)
    sent_at: list[datetime] = []
    moment = now
    while moment < now + timedelta(days=14):
        before = len(outbox.to("700"))
        scheduling.run_due(engine, moment, outbox)
        sent_at += [moment] * (len(outbox.to("700")) - before)
        moment += timedelta(minutes=30)
    assert len(sent_at) == 2, sent_at
    assert not any(quiet.stil(m) for m in sent_at), sent_at
    assert all("herinnering" in render(batch) for batch in outbox.to("700"))


def test_a_thuisopdracht_sent_in_the_evening_waits_for_the_morning(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    parent = Identity("telegram", "700", "")
    answer_all(
        engine, parent, accept(engine, parent, invite(engine, school["Sara"], now), now, "nl"), now
    )
    friday_night = now.replace(hour=22) + timedelta(days=4)
    process_turn(engine, school["a"], Knop("m:t:netwerk", 0, friday_night))
    outbox = Outbox()
    for hours in (1, 12, 36):  # that night, Saturday, Sunday: a quiet weekend
        scheduling.run_due(engine, friday_night + timedelta(hours=hours), outbox)
        assert outbox.to("700") == []
    monday_morning = (friday_night + timedelta(days=3)).replace(hour=9, minute=1)
    scheduling.run_due(engine, monday_morning, outbox)
    assert "Wie in uw familie" in render(outbox.to("700")[0])


def test_voice_notes_and_stickers_from_a_parent(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    from flows.events import Anders

    parent = Identity("telegram", "700", "")
    accept(engine, parent, invite(engine, school["Sara"], now), now, "nl")
    sticker = process_turn(engine, parent, Anders("sticker", now))
    assert "kan ik niet bewaren" in render(sticker.replies) and sticker.state == "vraag"
    empty = process_turn(engine, parent, Bericht("   ", now))
    assert "nog geen antwoord" in render(empty.replies)
    process_turn(engine, parent, Spraak("voice-file-1", now))
    process_turn(engine, parent, Spraak("voice-file-2", now))
    done = process_turn(engine, parent, Bericht("Voetballen en tekenen", now))
    assert done.state == "wacht"
    [entry] = entries(engine, school["Sara"])
    assert entry.content["thuisopdracht"]["antwoorden"]["goed"] == {"spraak": "voice-file-1"}


def count(engine: Engine, model: Any) -> int:
    from sqlalchemy import func, select

    with transaction(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def join_class(engine: Engine, who: Identity, code: str, name: str, now: datetime) -> TurnResult:
    """A student joins a class whose school asks consent under 16: the age question comes."""
    process_turn(engine, who, Commando("start", now, code))
    process_turn(engine, who, Knop("t:nl", 0, now))
    asked = process_turn(engine, who, Bericht(name, now))
    assert "16 jaar of ouder" in render(asked.replies), render(asked.replies)
    return asked


@pytest.fixture
def consent_school(engine: Engine, now: datetime) -> str:
    """A school that set 'students under 16 need a parent's consent'; returns a class code."""
    from storage import schools

    with transaction(engine) as session:
        school_id = schools.create_school(session, "Het Baken", now)
        schools.set_setting(session, school_id, "toestemming_onder_16", "aan")
        mentor_id = schools.create_mentor(session, school_id, "Meneer Haddou", now)
        class_id = schools.create_class(session, school_id, mentor_id, "2B", now)
        return schools.create_code(session, "klas", school_id, now, class_id=class_id)[1]


def test_under_16_nothing_is_stored_before_a_parent_consents(
    engine: Engine, consent_school: str, now: datetime
) -> None:
    from storage.models import Answer, Experience, SafeguardingFlag, Student

    child, parent = Identity("telegram", "31", ""), Identity("telegram", "731", "")
    join_class(engine, child, consent_school, "Noor", now)
    process_turn(engine, child, Knop("!onder16", 0, now))
    joined = process_turn(engine, child, Knop("!akkoord", 0, now))
    assert "toestemming van een ouder" in render(joined.replies)
    for event in (Commando("start", now), Knop("[1]", 0, now), Bericht("Bij de bakker", now)):
        gated = process_turn(engine, child, event)
        assert "toestemming van een ouder" in render(gated.replies)
    assert count(engine, Experience) == 0 and count(engine, Answer) == 0
    # a worrying message is not held back: the mentor must hear it
    worried = process_turn(engine, child, Bericht("ik word thuis geslagen", now))
    assert "toestemming" not in render(worried.replies)
    assert count(engine, SafeguardingFlag) == 1
    code = invite(engine, child, now)
    process_turn(engine, parent, Commando("start", now, code))
    notice = process_turn(engine, parent, Knop("t:nl", 0, now))
    assert "Noor is jonger dan 16" in render(notice.replies), render(notice.replies)
    assert set(buttons(notice)) == {"!toestemming", "!akkoord"}
    process_turn(engine, parent, Knop("!toestemming", 0, now))
    with transaction(engine) as session:
        student = session.get(Student, student_id(engine, child))
        assert student is not None and student.consent_at is not None
    outbox = Outbox()
    scheduling.run_due(engine, now + timedelta(minutes=1), outbox)
    assert "gaf toestemming" in render([m for b in outbox.to("31") for m in b])
    started = process_turn(engine, child, Commando("start", now))
    assert started.state == "ervaring", render(started.replies)


def test_a_parent_who_says_not_now_leaves_the_child_waiting(
    engine: Engine, consent_school: str, now: datetime
) -> None:
    child, parent = Identity("telegram", "32", ""), Identity("telegram", "732", "")
    join_class(engine, child, consent_school, "Ilias", now)
    process_turn(engine, child, Knop("!onder16", 0, now))
    process_turn(engine, child, Knop("!akkoord", 0, now))
    accept(engine, parent, invite(engine, child, now), now, "nl")  # presses "Nee, nu niet"
    still = process_turn(engine, child, Commando("start", now))
    assert "toestemming van een ouder" in render(still.replies)


def test_16_or_older_starts_at_once(engine: Engine, consent_school: str, now: datetime) -> None:
    child = Identity("telegram", "33", "")
    join_class(engine, child, consent_school, "Daan", now)
    process_turn(engine, child, Knop("!16plus", 0, now))
    joined = process_turn(engine, child, Knop("!akkoord", 0, now))
    assert joined.state == "ervaring" and "toestemming" not in render(joined.replies)


def test_erasing_a_child_removes_links_invites_thuisopdrachten_and_half_answers(
    engine: Engine, school: dict[str, Identity], now: datetime
) -> None:
    from sqlmodel import select

    from storage import privacy
    from storage.models import Conversation, Student
    from tests.storage.test_privacy import _references

    parent = Identity("telegram", "700", "")
    answer_all(
        engine, parent, accept(engine, parent, invite(engine, school["Sara"], now), now, "nl"), now
    )
    invite(engine, school["Sara"], now, "vader")  # an invite nobody used yet
    process_turn(engine, school["a"], Knop("m:t:netwerk", 0, now))
    scheduling.run_due(engine, now + timedelta(minutes=1), Outbox())
    process_turn(engine, parent, Bericht("Mijn broer Ahmed is kapper", now))  # half-way
    sara = student_id(engine, school["Sara"])
    with transaction(engine) as session:
        account = session.get(Student, sara).account_id  # type: ignore[union-attr]
        counts = privacy.erase(session, sara, now)
    assert counts["parent_links"] == 1 and counts["home_assignments"] == 2
    assert counts["parent_invites"] == 2
    assert _references(engine, sara, account, school["Sara"].external_id) == []
    with transaction(engine) as session:
        states = [c.state for c in session.exec(select(Conversation))]
    assert not any("Ahmed" in str(state) or "Sara" in str(state) for state in states)
    assert counts["parent_accounts"] == 1  # Sara was this parent's only child here
    after = process_turn(engine, parent, Bericht("Hallo?", now))
    assert after.account is not None and after.account.role == "nieuw"  # a stranger again
    assert "code" in render(after.replies)
