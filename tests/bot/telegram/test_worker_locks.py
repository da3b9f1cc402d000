"""The chat lock the workers on one PostgreSQL database share (two ``WorkerLocks`` play two
worker processes: each has a connection of its own, as each process does)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from bot.telegram.runtime import ChatLocks, WorkerLocks
from tests.conftest import ON_POSTGRES

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="advisory locks are PostgreSQL's")


def test_chats_are_locked_against_other_workers_on_postgresql_only(engine: Engine) -> None:
    # SQLite has one writer: one worker, whose own locks suffice
    assert (ChatLocks.for_engine(engine).workers is not None) == ON_POSTGRES


@on_postgres
async def test_a_chat_held_by_one_worker_waits_for_it_in_another(engine: Engine) -> None:
    first, second = WorkerLocks(engine.url), WorkerLocks(engine.url)
    try:
        await first.acquire("501")
        waiting = asyncio.create_task(second.acquire("501"))
        await second.acquire("502")  # another chat is free meanwhile
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await first.release("501")
        await asyncio.wait_for(waiting, 2)
        await second.release("501")
        await second.release("502")
    finally:
        await first.close()
        await second.close()


@on_postgres
async def test_a_worker_that_goes_away_frees_its_chats(engine: Engine) -> None:
    gone, other = WorkerLocks(engine.url), WorkerLocks(engine.url)
    try:
        await gone.acquire("601")
        waiting = asyncio.create_task(other.acquire("601"))
        await asyncio.sleep(0.1)
        await gone.close()  # its connection ends, as when the process is killed
        await asyncio.wait_for(waiting, 2)
        await other.release("601")
    finally:
        await other.close()


@on_postgres
async def test_a_lock_granted_to_a_cancelled_waiter_is_given_back(engine: Engine) -> None:
    first, second = WorkerLocks(engine.url), WorkerLocks(engine.url)
    try:
        for moment in range(20):  # cancel at different moments of the attempt
            attempt = asyncio.create_task(first.acquire("701"))
            for _ in range(moment % 5):
                await asyncio.sleep(0)
            attempt.cancel()
            try:
                await attempt
                await first.release("701")
            except asyncio.CancelledError:
                pass
            await asyncio.wait_for(second.acquire("701"), 2)  # never left held by `first`
            await second.release("701")
    finally:
        await first.close()
        await second.close()


@on_postgres
async def test_chat_locks_hold_a_chat_in_this_process_and_against_the_others(
    engine: Engine,
) -> None:
    here, there = ChatLocks.for_engine(engine), ChatLocks.for_engine(engine)
    order: list[str] = []

    async def turn(locks: ChatLocks, name: str) -> None:
        async with locks("801"):
            order.append(f"{name} in")
            await asyncio.sleep(0.05)
            order.append(f"{name} out")

    try:
        await asyncio.gather(turn(here, "a"), turn(here, "b"), turn(there, "c"))
        assert [step.split()[1] for step in order] == ["in", "out"] * 3  # never two at once
    finally:
        await here.close()
        await there.close()
