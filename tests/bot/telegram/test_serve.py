"""The running process's own settings: what start-up loaded stays out of the collector's way."""

from __future__ import annotations

import gc

from bot.telegram.serve import settle_heap


def test_what_start_up_loaded_is_frozen_and_later_objects_are_not() -> None:
    gc.unfreeze()
    loaded = [[] for _ in range(1000)]
    try:
        settle_heap()
        frozen = gc.get_freeze_count()
        assert frozen >= len(loaded)
        later = [[] for _ in range(1000)]
        assert gc.get_freeze_count() == frozen  # made since: collected as usual
        assert gc.is_tracked(later[0])
    finally:
        gc.unfreeze()
