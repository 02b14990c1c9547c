"""A job store that answers from memory and writes to the database behind the event loop.

APScheduler 3's job-store API is blocking: with its SQLAlchemy store, every job scheduled from a
listener (a newcomer's nudge, a timeout to lift) committed to SQLite on the event loop, ~1 ms each,
and waited there for as long as another connection held the write lock. Here the jobs live in
APScheduler's own memory store; each change is pickled at once (so later changes to the job cannot
race the write) and written by one background thread through APScheduler's SQLAlchemy store
table; :meth:`flush` waits for the writes, off the event loop. The thread writes whatever has
queued up meanwhile in one transaction (a burst of joins is one commit, not one per nudge), with
the bot's SQLite settings (WAL, ``synchronous=NORMAL``, busy timeout).

Memory is the source of truth: what waits is the latest state of each job changed since the last
write (a row, or its absence), so it never grows past the jobs themselves, and each is written as
"delete its row, insert the new one", which repairs a row a failed write left missing or stale.
A write the database refuses (locked beyond the busy timeout, a full disk, an I/O error) is tried
again, after 1 s, then 2 s, … at most every ``RETRY_MOST``; that next write, and the one at
shutdown, rewrite the whole table from memory in one transaction (but for the rows kept below).
Each refusal is one warning line (what the database said, without the statement), and the
recovery is another, at the same level: an operator who saw the one sees the other. A crash
loses at most the changes still waiting (milliseconds of them, or those since the database
started refusing); the jobs on disk are loaded at start.

A job saved by a later version of the bot, which remembers more of a job (a run in progress, how
it is retried), is read after a rollback to this one: the arguments its function here does not
take are left out as it loads, with a warning. Kept, they failed APScheduler's check of every
change to the job's arguments: the catch-up of a run cut short, or of a job held for its
platform, stopped the start.

A saved job this version cannot restore at all (saved by a later APScheduler or bot: a newer job
state, a trigger or function this version lacks; or a row damaged on disk) is not loaded, and its
row is kept on disk as it is, for a version of the bot that can read it: APScheduler's own store
deletes such a row as it loads, and the job (a ban to lift, a contest to close) would be gone for
good after a rollback and the roll forward. So the rows are read here, in one query, and each is
restored with the SQLAlchemy store's own code; each row kept is one warning line (the job's id and
the error, without a traceback but at DEBUG). Rewrites of the table, and removing every job, leave
those rows alone; a job this run schedules under the id of one replaces it (the newer state wins),
and a job this run cancels goes from disk too (:meth:`WriteBehindJobStore.drop_kept`), as do the
rows naming a member who is erased (:meth:`WriteBehindJobStore.drop_kept_naming`): unreadable, such
a row cannot have the member taken out of it.
"""

from __future__ import annotations

import inspect
import logging
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import datetime
from itertools import islice
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import datetime_to_utc_timestamp
from sqlalchemy import bindparam, create_engine, event, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError

from bot.bulkwrite import BulkWrite
from bot.db import sqlite_pragmas
from bot.dbrefusals import reason

log = logging.getLogger(__name__)

MAX_BATCH = 500
"""Jobs written in one transaction at most (a rewrite after a failure writes them all)."""
RETRY_FIRST = 1.0
"""Seconds before a write the database refused is tried again; doubled at each refusal …"""
RETRY_MOST = 60.0
"""… up to this."""
WHY_MOST = 300
"""Characters at most of why a saved job cannot be restored, in its warning."""
_COLUMNS = ("id", "next_run_time", "job_state")
"""The columns of a job's row, as :meth:`WriteBehindJobStore._row` gives them."""


class WriteBehindJobStore(MemoryJobStore):
    """Jobs in memory, persisted by a background writer to the SQLAlchemy store's table."""

    def __init__(self, url: str, tablename: str) -> None:
        super().__init__()
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", sqlite_pragmas)
        self._disk = SQLAlchemyJobStore(engine=engine, tablename=tablename)
        self._writer: ThreadPoolExecutor | None = None
        self._closing: ThreadPoolExecutor | None = None
        """The writer after :meth:`shutdown`, still writing what waits."""
        self._queue_lock = threading.Lock()
        # Everything below is shared with the writer thread: read and changed under the lock.
        self._rows: dict[str, dict[str, Any]] = {}
        """The row of every job in memory, as last pickled: what a rewrite writes."""
        self._unrestorable: dict[str, bytes] = {}
        """The rows this version could not restore at start (their pickled state by id), kept
        on disk as they are until a job of this run takes their id, the job is cancelled
        (:meth:`drop_kept`), or the member they name is erased (:meth:`drop_kept_naming`)."""
        self._changed: dict[str, None] = {}
        """Ids of the jobs changed (or removed) since the writer last took them, in order."""
        self._rewrite = False
        """Whether the next write replaces the whole table with :attr:`_rows` (after a failed
        write, or when every job was removed)."""
        self._submitted = False
        """Whether a write is submitted that will take what waits."""
        self._retry: threading.Timer | None = None
        """The timer that tries again after a refused write (no write starts before it)."""
        self._delay = 0.0
        """Seconds the last refused write waits before the next try; 0 after a success."""
        self._compiled: tuple[BulkWrite, BulkWrite] | None = None
        """The writer's statements, once compiled."""
        self._named_parameters = False
        """Whether the driver takes named parameters (the table's own statements then)."""

    def start(self, scheduler: Any, alias: str) -> None:
        """Create the table if needed and load the jobs saved by the previous run."""
        super().start(scheduler, alias)
        self._disk.start(scheduler, alias)
        rows = {}
        unrestorable: dict[str, bytes] = {}
        for job_id, job, state in self._saved_jobs():
            if job is None:
                unrestorable[job_id] = state
                continue
            super().add_job(job)
            rows[job.id] = self._row(job)
        with self._queue_lock:
            self._rows = rows
            self._unrestorable = unrestorable
            self._changed = {}
            self._rewrite = self._submitted = False
            self._delay = 0.0
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobstore")
        self._closing = None

    def add_job(self, job: Job) -> None:
        """Keep ``job`` and queue its saving."""
        super().add_job(job)
        self._queue(job.id, self._row(job))

    def update_job(self, job: Job) -> None:
        """Change ``job`` and queue its saving."""
        super().update_job(job)
        self._queue(job.id, self._row(job))

    def remove_job(self, job_id: str) -> None:
        """Forget ``job_id`` and queue its deletion."""
        super().remove_job(job_id)
        self._queue(job_id, None)

    def remove_all_jobs(self) -> None:
        """Forget every job and queue their deletion."""
        super().remove_all_jobs()
        writer = self._started()
        with self._queue_lock:
            self._rows.clear()
            self._changed.clear()
            self._rewrite = True
            if not self._claim_write():
                return
        writer.submit(self._drain)

    def flush(self) -> None:
        """Write what waits now, even while a refused write waits to be tried again, and wait
        for it (blocking: call it off the event loop). What the database still refuses stays
        queued."""
        writer = self._writer or self._closing
        if writer is None:
            return
        try:
            writer.submit(self._drain, True).result()
        except RuntimeError:  # shut down meanwhile: its last write is queued, then it ends
            writer.shutdown(wait=True)
            return
        closing = self._closing
        if closing is not None:  # shut down while this wrote: wait for its last write too
            closing.shutdown(wait=True)

    def shutdown(self) -> None:
        """Take no more changes; write what waits (a last try at a refused write), then close
        the database connection.

        APScheduler calls this on the event loop, so it does not wait: a transaction the loop
        holds open must be able to commit while the writes wait for its lock. :meth:`flush`
        waits for them.
        """
        writer, self._writer = self._writer, None
        with self._queue_lock:
            if self._retry is not None:
                self._retry.cancel()
                self._retry = None
        if writer is None:
            self._disk.shutdown()
            return
        writer.submit(self._last_write)
        writer.submit(self._disk.shutdown)
        writer.shutdown(wait=False)
        self._closing = writer

    @property
    def _table(self) -> Any:
        return self._disk.jobs_t

    def _saved_jobs(self) -> list[tuple[str, Job | None, bytes]]:
        """Each saved job by its id, None for one this version cannot restore (said once), and
        its pickled state."""
        table = self._table
        query = select(table.c.id, table.c.job_state).order_by(table.c.next_run_time)
        with self._disk.engine.begin() as connection:
            saved = connection.execute(query).all()
        jobs: list[tuple[str, Job | None, bytes]] = []
        for job_id, state in saved:
            try:
                job: Job = self._disk._reconstitute_job(state)
                _fit_arguments(job)
            except Exception as error:
                _unrestorable(job_id, error)
                jobs.append((job_id, None, state))
            else:
                jobs.append((job_id, job, state))
        return jobs

    def _row(self, job: Job) -> dict[str, Any]:
        # Pickled now, on the caller's thread: the scheduler keeps changing the live Job object.
        next_run: datetime | None = job.next_run_time
        return {
            "id": job.id,
            "next_run_time": datetime_to_utc_timestamp(next_run),
            "job_state": pickle.dumps(job.__getstate__(), self._disk.pickle_protocol),
        }

    def _started(self) -> ThreadPoolExecutor:
        if self._writer is None:
            raise RuntimeError("the job store is not started")
        return self._writer

    def _queue(self, job_id: str, row: dict[str, Any] | None) -> None:
        """Make ``row`` (None: no row) what is saved of ``job_id``; submit a write unless one
        is already on its way (or a refused one waits to be tried again)."""
        writer = self._started()
        with self._queue_lock:
            if row is None:
                self._rows.pop(job_id, None)
            else:
                self._rows[job_id] = row
                self._unrestorable.pop(job_id, None)  # the newer state wins
            self._changed[job_id] = None
            if not self._claim_write():
                return
        writer.submit(self._drain)

    def drop_kept(self, job_id: str) -> bool:
        """Delete the row kept of ``job_id``, which this version could not restore (a job
        cancelled must not come back at the next version that reads it); whether there was
        one."""
        return self._drop_kept_where(lambda kept_id, _state: kept_id == job_id) > 0

    def drop_kept_naming(self, *texts: str) -> int:
        """Delete the rows kept that this version could not restore whose saved state holds
        every one of ``texts`` as a string (a member's id and their community's, at their
        erasure: such a row cannot be read to take them out); how many."""
        forms = [_pickled_forms(text) for text in texts]

        def naming(_job_id: str, state: bytes) -> bool:
            return all(any(form in state for form in text_forms) for text_forms in forms)

        return self._drop_kept_where(naming)

    def _drop_kept_where(self, dropped: Callable[[str, bytes], bool]) -> int:
        if self._writer is None:
            return 0
        writer = self._writer
        with self._queue_lock:
            ids = [
                job_id for job_id, state in self._unrestorable.items() if dropped(job_id, state)
            ]
            for job_id in ids:
                del self._unrestorable[job_id]
                self._changed[job_id] = None  # no row in memory: the write deletes it
            if not ids or not self._claim_write():
                return len(ids)
        writer.submit(self._drain)
        return len(ids)

    def _claim_write(self) -> bool:
        """Under the lock: whether the caller submits the write, none being on its way nor a
        refused one waiting to be tried again (the one that is takes what waits)."""
        if self._submitted or self._retry is not None:
            return False
        self._submitted = True
        return True

    def _drain(self, now: bool = False) -> bool:
        """Write what waits, one transaction per batch taken; ``now``: even while a refused
        write waits for its retry. Whether everything was written."""
        while True:
            with self._queue_lock:
                if self._retry is not None and not now:
                    self._submitted = False  # the retry submits the next write
                    return False
                rewrite = self._rewrite
                keep: list[str] = []
                if rewrite:
                    ids: list[str] = []
                    rows = list(self._rows.values())
                    keep = list(self._unrestorable)
                    self._changed.clear()
                    self._rewrite = False
                else:
                    ids = list(islice(self._changed, MAX_BATCH))
                    if not ids:
                        self._submitted = False
                        return True
                    for job_id in ids:
                        del self._changed[job_id]
                    rows = [self._rows[job_id] for job_id in ids if job_id in self._rows]
            try:
                self._write(ids, rows, rewrite=rewrite, keep=keep)
            except Exception as error:  # the database (or a bug): try again later, everything
                self._refused(error, len(rows) if rewrite else len(ids))
                return False
            self._saved()

    def _write(
        self, ids: list[str], rows: list[dict[str, Any]], *, rewrite: bool, keep: list[str]
    ) -> None:
        """Delete the rows of ``ids`` (``rewrite``: every row but those of ``keep``), then
        insert ``rows``, in one transaction."""
        table = self._table
        with self._disk.engine.begin() as connection:
            statements = self._statements(connection.dialect)
            if rewrite and not keep:
                connection.execute(table.delete())
            elif rewrite:
                # Row by row: the rows kept may be thousands (a rollback over a change of how
                # every job is saved), more than a statement takes values.
                kept = set(keep)
                saved = connection.execute(select(table.c.id)).scalars()
                ids = [job_id for job_id in saved if job_id not in kept]
            if ids and statements is None:
                for start in range(0, len(ids), MAX_BATCH):
                    batch = ids[start : start + MAX_BATCH]
                    connection.execute(table.delete().where(table.c.id.in_(batch)))
            elif ids and statements is not None:
                connection.exec_driver_sql(statements[0].sql, [(job_id,) for job_id in ids])
            if not rows:
                return
            if statements is None:
                connection.execute(table.insert(), rows)
                return
            insert = statements[1]
            connection.exec_driver_sql(
                insert.sql, [insert.prepared([row[name] for name in _COLUMNS]) for row in rows]
            )

    def _statements(self, dialect: Dialect) -> tuple[BulkWrite, BulkWrite] | None:
        """The deletion of one job's row and the insertion of a row, compiled once for the
        driver (``IN`` with as many values as jobs compiles anew at each write); None for a
        driver that takes named parameters (the table's own statements then)."""
        if self._compiled is None and not self._named_parameters:
            table = self._table
            one = table.delete().where(table.c.id == bindparam("id"))
            try:
                self._compiled = (
                    BulkWrite(one, ("id",), dialect),
                    BulkWrite(table.insert(), _COLUMNS, dialect),
                )
            except ValueError:
                self._named_parameters = True
        return self._compiled

    def _refused(self, error: Exception, count: int) -> None:
        """A write failed: its jobs wait with the others; the next write rewrites them all."""
        with self._queue_lock:
            self._rewrite = True
            self._submitted = False
            self._delay = min(max(self._delay * 2, RETRY_FIRST), RETRY_MOST)
            delay = self._delay
            if self._retry is not None:
                self._retry.cancel()
            self._retry = None
            if self._writer is not None:
                self._retry = threading.Timer(delay, self._try_again)
                self._retry.daemon = True
                self._retry.start()
        if self._writer is None:
            return  # stopping: the last write says what is lost
        if isinstance(error, SQLAlchemyError):
            # The jobs still run from memory; only their survival across a restart waits.
            log.warning(
                "%d scheduled job changes not saved yet, trying again in %g s: %s",
                count,
                delay,
                reason(error),
            )
        else:
            log.error("%d scheduled job changes not saved yet", count, exc_info=error)

    def _saved(self) -> None:
        with self._queue_lock:
            recovered = self._delay > 0
            self._delay = 0.0
            if self._retry is not None:
                self._retry.cancel()
                self._retry = None
        if recovered:
            log.warning("scheduled jobs saved again")

    def _try_again(self) -> None:
        with self._queue_lock:
            if self._retry is None or threading.current_thread() is not self._retry:
                return  # cancelled: a write succeeded meanwhile, or the store stopped
            self._retry = None
            writer = self._writer
            if writer is None or self._submitted:
                return
            self._submitted = True
        with suppress(RuntimeError):  # shut down meanwhile: its last write takes them
            writer.submit(self._drain)

    def _last_write(self) -> None:
        """At shutdown: write what waits, once more if it was refused; say what is lost."""
        if self._drain(now=True):
            return
        with self._queue_lock:
            jobs = len(self._rows)
        log.error(
            "the scheduled jobs could not be saved at stop (%d in memory): the next start "
            "finds them as they were before the database refused them",
            jobs,
        )


def _pickled_forms(text: str) -> tuple[bytes, ...]:
    """How a pickle writes the string ``text``: its UTF-8 bytes after their length, one byte
    (SHORT_BINUNICODE) or four (BINUNICODE); a bare search for the bytes would find a member
    id ``42`` inside ``1420``."""
    data = text.encode("utf-8", "surrogatepass")
    forms = [b"X" + len(data).to_bytes(4, "little") + data]
    if len(data) < 256:
        forms.append(b"\x8c" + bytes([len(data)]) + data)
    return tuple(forms)


def _unrestorable(job_id: str, error: Exception) -> None:
    """Tell the operator, on one line, that the saved job ``job_id`` is kept but not loaded."""
    why = " ".join(f"{type(error).__name__}: {error}".split())
    if len(why) > WHY_MOST:
        why = why[: WHY_MOST - 1] + "…"
    log.warning(
        "job %s cannot be restored by this version (%s): not loaded, its row is kept on disk "
        "for a version of the bot that can read it",
        job_id,
        why,
    )
    log.debug("job %s cannot be restored", job_id, exc_info=error)


def _fit_arguments(job: Job) -> None:
    """Leave out of ``job`` the keyword arguments its function does not take (saved by a later
    version of the bot), saying which."""
    parameters = inspect.signature(job.func).parameters
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters.values()):
        return
    unknown = [name for name in job.kwargs if name not in parameters]
    if not unknown:
        return
    log.warning(
        "job %s was saved with arguments this version does not take (%s), by a later one: "
        "left out",
        job.id,
        ", ".join(unknown),
    )
    job._modify(kwargs={name: value for name, value in job.kwargs.items() if name in parameters})
