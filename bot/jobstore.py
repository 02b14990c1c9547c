"""A job store that answers from memory and writes to the database behind the event loop.

APScheduler 3's job-store API is blocking: with its SQLAlchemy store, every job scheduled from a
listener (a newcomer's nudge, a timeout to lift) committed to SQLite on the event loop, ~1 ms each,
and waited there for as long as another connection held the write lock. Here the jobs live in
APScheduler's own memory store; each change is pickled at once (so later changes to the job cannot
race the write) and written, in order, by one background thread through APScheduler's SQLAlchemy
store table; :meth:`flush` waits for the writes, off the event loop. The thread writes whatever
has queued up meanwhile in one transaction (a burst of joins is one commit, not one per nudge),
with the bot's SQLite settings (WAL, ``synchronous=NORMAL``, busy timeout). A crash loses at most
the changes still queued (milliseconds of them); the jobs on disk are loaded at start.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.db import sqlite_pragmas

log = logging.getLogger(__name__)

MAX_BATCH = 500
"""Job changes written in one transaction at most."""


class WriteBehindJobStore(MemoryJobStore):
    """Jobs in memory, persisted by a background writer to the SQLAlchemy store's table."""

    def __init__(self, url: str, tablename: str) -> None:
        super().__init__()
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", sqlite_pragmas)
        self._disk = SQLAlchemyJobStore(engine=engine, tablename=tablename)
        self._writer: ThreadPoolExecutor | None = None
        self._queued: list[Callable[[Connection], Any]] = []
        """Changes not yet taken by the writer; a drain is submitted when this turns non-empty."""
        self._queue_lock = threading.Lock()
        self._closing: ThreadPoolExecutor | None = None
        """The writer after :meth:`shutdown`, still writing what was queued."""

    def start(self, scheduler: Any, alias: str) -> None:
        """Create the table if needed and load the jobs saved by the previous run."""
        super().start(scheduler, alias)
        self._disk.start(scheduler, alias)
        for job in self._disk.get_all_jobs():
            super().add_job(job)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobstore")
        self._closing = None

    def add_job(self, job: Job) -> None:
        """Keep ``job`` and queue its insert."""
        super().add_job(job)
        row = self._row(job)
        self._write(lambda connection: connection.execute(self._table.insert().values(**row)))

    def update_job(self, job: Job) -> None:
        """Change ``job`` and queue its update."""
        super().update_job(job)
        row = self._row(job)
        self._write(
            lambda connection: connection.execute(
                self._table.update().values(**row).where(self._table.c.id == row["id"])
            )
        )

    def remove_job(self, job_id: str) -> None:
        """Forget ``job_id`` and queue its deletion."""
        super().remove_job(job_id)
        self._write(
            lambda connection: connection.execute(
                self._table.delete().where(self._table.c.id == job_id)
            )
        )

    def remove_all_jobs(self) -> None:
        """Forget every job and queue their deletion."""
        super().remove_all_jobs()
        self._write(lambda connection: connection.execute(self._table.delete()))

    def flush(self) -> None:
        """Wait until every queued change is written (blocking: call it off the event loop)."""
        writer = self._writer or self._closing
        if writer is None:
            return
        try:
            writer.submit(lambda: None).result()
        except RuntimeError:  # shut down meanwhile: its queue still drains, then it ends
            writer.shutdown(wait=True)

    def shutdown(self) -> None:
        """Take no more changes; write what is queued, then close the database connection.

        APScheduler calls this on the event loop, so it does not wait: a transaction the loop
        holds open must be able to commit while the writes wait for its lock. :meth:`flush`
        waits for them.
        """
        writer, self._writer = self._writer, None
        if writer is None:
            self._disk.shutdown()
            return
        writer.submit(self._disk.shutdown)
        writer.shutdown(wait=False)
        self._closing = writer

    @property
    def _table(self) -> Any:
        return self._disk.jobs_t

    def _row(self, job: Job) -> dict[str, Any]:
        # Pickled now, on the caller's thread: the scheduler keeps changing the live Job object.
        next_run: datetime | None = job.next_run_time
        return {
            "id": job.id,
            "next_run_time": datetime_to_utc_timestamp(next_run),
            "job_state": pickle.dumps(job.__getstate__(), self._disk.pickle_protocol),
        }

    def _write(self, change: Callable[[Connection], Any]) -> None:
        if self._writer is None:
            raise RuntimeError("the job store is not started")
        with self._queue_lock:
            self._queued.append(change)
            if len(self._queued) > 1:
                return  # a drain is already submitted; it will take this change too
        self._writer.submit(self._drain)

    def _drain(self) -> None:
        """Write every queued change, in order, one transaction per batch taken."""
        while True:
            with self._queue_lock:
                changes = self._queued[:MAX_BATCH]
                if not changes:
                    return
            try:
                self._apply(changes)
            except Exception:  # a bug, not the database: say so, and keep the writer going
                log.exception("%d scheduled job changes could not be saved", len(changes))
            with self._queue_lock:
                # Taken off only once written: until then a new change must not submit a second
                # drain, which could run ahead of this one and write out of order.
                del self._queued[: len(changes)]

    def _apply(self, changes: list[Callable[[Connection], Any]]) -> None:
        try:
            with self._disk.engine.begin() as connection:
                for change in changes:
                    change(connection)
        except SQLAlchemyError as error:
            if len(changes) == 1:
                # The job still runs from memory; only its survival across a restart is at stake.
                log.warning("a scheduled job could not be saved: %s", error)
            else:
                for change in changes:  # one bad change must not lose the others with it
                    self._apply([change])
