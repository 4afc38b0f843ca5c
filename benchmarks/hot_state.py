"""What the hot path keeps per person, measured in process: memory from 1,000 to 100,000 people, and the
cost of one update's bookkeeping.

    .venv/bin/python benchmarks/hot_state.py                  # 100,000 people
    .venv/bin/python benchmarks/hot_state.py --people 20000   # fewer

The bot benchmark (`python -m benchmarks --only memory`) measures the whole process, but reaches 100,000
people only on a quiet machine and extends a slope otherwise. This drives the state layer of the hot path
alone — the update claim window, the people cache, the chat ledger and the batch written behind, on a real
SQLite database — with one new person per update (the worst case for a cache: nobody comes back), and
measures Python's own allocations with tracemalloc after 1,000 people and after all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.identity.people import People
from bot.privacy.chats import ChatLedger
from bot.stats.counters import Counters
from bot.stats.tallies import Stats
from bot.storage.behind import WriteBehind
from bot.storage.database import Database
from bot.telegram.seen import ProcessedUpdates

NODES = [f"page{n}" for n in range(40)]


async def run(people: int, batch: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'hot.sqlite'}")
        await database.migrate()
        keys = KeyRing(b"b" * 32)
        behind = WriteBehind(database.engine)
        state = People(database, behind, datetime.now)
        ledger = ChatLedger(database.sessions, behind, keys, datetime.now)
        updates = ProcessedUpdates(database, behind, datetime.now)
        stats = Stats(Counters(database.sessions), datetime.now, behind)
        await updates.load()
        keyring_pseudonym = keys.pseudonym

        async def update(n: int) -> None:
            pseudonym = keyring_pseudonym("user", 10_000_000 + n)
            if await updates.seen(n):
                return
            with updates.handling(n):
                await state.get(pseudonym)
                ledger.record(pseudonym, Address(10_000_000 + n), [2 * n, 2 * n + 1])
                node = NODES[n % len(NODES)]
                await state.remember(pseudonym, node=node)
                stats.view(node, "en")

        async def drive(start: int, stop: int) -> float:
            cpu = time.process_time()
            for n in range(start, stop):
                await update(n)
                if n % batch == batch - 1:
                    await behind.flush()
            await behind.flush()
            return time.process_time() - cpu

        tracemalloc.start()
        await drive(0, 1_000)
        gc.collect()
        at_1000 = tracemalloc.get_traced_memory()[0]
        cpu = await drive(1_000, people)
        gc.collect()
        at_end = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        await database.close()
    return {"people": people, "at_1000_mb": at_1000 / 1e6, "at_end_mb": at_end / 1e6,
            "growth_mb": (at_end - at_1000) / 1e6, "cpu_us_per_update": cpu / (people - 1_000) * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=200, help="updates per batch written (the flush interval)")
    args = parser.parse_args()
    figures = asyncio.run(run(max(args.people, 2_000), args.batch))
    print(f"hot-path state, {figures['people']:,.0f} people, one new person per update, a batch every "
          f"{args.batch} updates")
    print(f"  Python allocations after 1,000 people: {figures['at_1000_mb']:.1f} MB; after "
          f"{figures['people']:,.0f}: {figures['at_end_mb']:.1f} MB")
    print(f"  growth from 1,000 to {figures['people']:,.0f} people: {figures['growth_mb']:.1f} MB (target <= 20 MB: "
          f"{'PASS' if figures['growth_mb'] <= 20 else 'MISS'})")
    print(f"  bookkeeping CPU per update (claim, person read on a miss, ledger, page, count, its share of a "
          f"batch): {figures['cpu_us_per_update']:.0f} us")


if __name__ == "__main__":
    main()
