"""Who may do what: every role tries every command and button that touches one student (Sara),
and the set of roles that got through must be exactly the intended one.

Roles: a stranger (a chat that never joined), Sara herself, Yusuf (another student of her class),
Sara's parent, Yusuf's parent, Sara's mentor, a mentor of another class, and the school's decaan.
The admin has no chat role on purpose: administration is ``lobbot admin`` on the server, so an
"admin" in the chat is a stranger, and ``/admin`` is one of the commands tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.turns import Identity, process_turn
from flows.events import Bericht, Commando, Event, Knop
from flows.replies import Reply
from storage import jobs, ouders, reflecties, schools
from storage.db import transaction
from storage.models import (
    DossierEntry,
    HomeAssignment,
    MentorMeeting,
    ParentLink,
    SafeguardingFlag,
    School,
)

ROLES = ("stranger", "sara", "yusuf", "parent", "other_parent", "mentor", "other_mentor", "decaan")


@dataclass
class World:
    engine: Engine
    people: dict[str, Identity]
    sara: int
    class_code: str
    klas: int
    flag: int
    link: int
    assignment: int
    checkin: int


def render(replies: list[Any]) -> str:
    return "\n".join(
        line.render(None)
        for r in replies
        if isinstance(r, Reply)
        for line in (*r.lines, *(b.label for b in r.buttons))
    )


def count(engine: Engine, query: Any) -> int:
    with transaction(engine) as session:
        return int(session.execute(query).scalar_one())


def build(engine: Engine, now: datetime) -> World:
    """One school: two mentors and a decaan; Sara and Yusuf in 3A; each with a parent."""
    with transaction(engine) as session:
        school = schools.create_school(session, "De Brug", now)
        mentor = schools.create_mentor(session, school, "Mevrouw Aydın", now)
        other = schools.create_mentor(session, school, "Meneer Bos", now)
        decaan = schools.create_mentor(session, school, "Decaan Vos", now, decaan=True)
        klas = schools.create_class(session, school, mentor, "3A", now)
        schools.create_class(session, school, other, "3B", now)
        code = schools.create_code(session, "klas", school, now, class_id=klas)[1]
        spare = schools.create_code(session, "klas", school, now, class_id=klas)[1]
        invites = {
            m: schools.create_code(session, "mentor", school, now, mentor_id=m)[1]
            for m in (mentor, other, decaan)
        }
    people = {role: Identity("telegram", str(1000 + i), "") for i, role in enumerate(ROLES)}
    for role, mentor_id in (("mentor", mentor), ("other_mentor", other), ("decaan", decaan)):
        process_turn(engine, people[role], Commando("start", now, invites[mentor_id]))
    for role, name in (("sara", "Sara"), ("yusuf", "Yusuf")):
        for event in (Commando("start", now, code), Knop("t:nl", 0, now), Bericht(name, now),
                      Knop("!akkoord", 0, now)):  # fmt: skip
            process_turn(engine, people[role], event)
    process_turn(engine, people["sara"], Commando("notitie", now, "geheim-van-sara"))
    process_turn(engine, people["sara"], Bericht("ik word gepest en ben bang", now))
    for child, parent, wie in (("sara", "parent", "vader"), ("yusuf", "other_parent", "moeder")):
        with transaction(engine) as session:
            student = reflecties.student_of_chat(session, "telegram", people[child].external_id)
            assert student is not None
            invite = ouders.invite(session, student, wie, now)[1]
        for event in (
            Commando("start", now, invite),
            Knop("t:nl", 0, now),
            Knop("!akkoord", 0, now),
        ):
            process_turn(engine, people[parent], event)
    with transaction(engine) as session:
        sara = reflecties.student_of_chat(session, "telegram", people["sara"].external_id)
        assert sara is not None
        [flag] = reflecties.flags_of_student(session, sara)
        [link] = ouders.links_of_student(session, sara)
        [assignment] = ouders.waiting_for(session, link.account_id)
        account = people_account(session, people["sara"])
        checkin = jobs.schedule(
            session, "checkin", account, now, now, {"entry_id": None, "stap": "mailen"}
        )
        assert flag.id is not None and checkin is not None
    return World(engine, people, sara, spare, klas, flag.id, link.id, assignment.id, checkin)


def people_account(session: Any, who: Identity) -> int:
    from storage import accounts

    found = accounts.find_account(session, who.channel, who.external_id)
    assert found is not None
    return found.id


def counted(query: Callable[[World], Any]) -> Callable[[World], int]:
    """A count in the database that the action changes when it goes through."""
    return lambda world: count(world.engine, query(world))


@dataclass(frozen=True)
class Action:
    """What a person sends, who may, and how to tell that it went through for Sara."""

    name: str
    allowed: frozenset[str]
    events: Callable[[World], list[Event]]
    measure: Callable[[World], int] | None = None  # a count that changes when it went through
    marker: str | None = None  # else: words in the replies that only Sara's data shows


def n(model: Any, *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where)


AT = datetime(2026, 11, 23, 14, 30)
MENTORS = frozenset({"mentor", "decaan"})
ACTIONS = (
    Action("class overview shows Sara", MENTORS, lambda w: [Commando("leerlingen", AT)],
           marker="Sara (3A)"),
    Action("summary of Sara", MENTORS, lambda w: [Commando("samenvatting", AT, str(w.sara))],
           marker="Voor het gesprek met Sara"),
    Action("plan a gesprek with Sara", MENTORS,
           lambda w: [Commando("gesprek", AT, f"{w.sara} vrijdag 10:00")],
           counted(lambda w: n(MentorMeeting))),
    Action("confirm Sara's safeguarding alert", MENTORS,
           lambda w: [Knop(f"m:gezien:{w.flag}", 0, AT)],
           counted(lambda w: n(SafeguardingFlag, SafeguardingFlag.seen_at.is_not(None)))),
    Action("send a thuisopdracht to Sara's parents", MENTORS,
           lambda w: [Commando("thuisopdracht", AT), Knop(f"m:t:beroepen:{w.klas}", 0, AT)],
           counted(lambda w: n(HomeAssignment, HomeAssignment.link_id == w.link))),
    Action("read Sara's dossier", frozenset({"sara"}), lambda w: [Commando("dossier", AT)],
           marker="geheim-van-sara"),
    Action("Sara's data (right of access)", frozenset({"sara"}),
           lambda w: [Commando("mijngegevens", AT)], marker="Naam: Sara"),
    Action("see Sara's parent links", frozenset({"sara"}), lambda w: [Commando("ouder", AT)],
           marker="Je vader (sinds"),
    Action("end Sara's parent link", frozenset({"sara"}),
           lambda w: [Knop(f"u:x:{w.link}", 0, AT)],
           counted(lambda w: n(ParentLink, ParentLink.revoked_at.is_not(None)))),
    Action("answer Sara's thuisopdracht", frozenset({"parent"}),
           lambda w: [Knop(f"o:{w.assignment}:0:helpen", 0, AT), Bericht("Ze helpt graag", AT),
                      Bericht("Koken", AT)],
           counted(lambda w: n(DossierEntry, DossierEntry.source == "ouder"))),
    Action("answer Sara's check-in", frozenset({"sara"}),
           lambda w: [Knop(f"k:{w.checkin}:ja", 0, AT)],
           counted(lambda w: n(DossierEntry, DossierEntry.student_id == w.sara,
                               DossierEntry.source == "leerling"))),
    Action("join Sara's class with a class code", frozenset({"stranger"}),
           lambda w: [Commando("start", AT, w.class_code)], marker="Kies je taal"),
    Action("administration from the chat", frozenset(),
           lambda w: [Commando("admin", AT, "school Nep"), Commando("admin", AT, "list")],
           counted(lambda w: n(School))),
)  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may(engine: Engine, now: datetime, role: str) -> None:
    world = build(engine, now)
    got_through = set()
    for act in ACTIONS:
        before = act.measure(world) if act.measure else 0
        replies: list[Any] = []
        for event in act.events(world):
            replies += process_turn(world.engine, world.people[role], _at(event, now)).replies
        if act.measure is not None and act.measure(world) != before:
            got_through.add(act.name)
        if act.marker is not None and act.marker in render(replies):
            got_through.add(act.name)
    expected = {act.name for act in ACTIONS if role in act.allowed}
    assert got_through == expected, (role, got_through ^ expected)


def _at(event: Event, now: datetime) -> Event:
    from dataclasses import replace

    return replace(event, at=now + timedelta(seconds=1))
