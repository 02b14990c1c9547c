"""Toxicity scores from Detoxify, behind a :class:`Classifier` protocol, off the event loop.

The model is loaded lazily, once, in the worker's own thread. Messages are queued and scored in
micro-batches: a batch is scored when it is full or when a few milliseconds have passed, split
into buckets of similar length so short messages are not padded to the longest one. If Detoxify
is not installed or its model cannot load, :class:`ToxicityUnavailableError` says why, every time,
and everything else keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("cogs.netiquette.toxicity")

INSTALL_HINT = (
    "install PyTorch first (pip install torch==2.13.0), then the toxicity extra "
    "(pip install 'jardinier[toxicity]')"
)
BUCKET_RATIO = 2
"""A bucket's longest message is at most this many times its shortest (less padding)."""


class ToxicityUnavailableError(Exception):
    """The toxicity model cannot be used; the message says why and what to do."""


class Classifier(Protocol):
    """Scores texts: one mapping of label to probability per text."""

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Score ``texts`` (blocking: call it off the event loop)."""
        ...


@dataclass(frozen=True)
class ModelChoice:
    """Which Detoxify model to load, and from where."""

    model: str = "multilingual"
    checkpoint: Path | None = None
    config_dir: Path | None = None


class DetoxifyClassifier:
    """Detoxify's model (downloaded by Detoxify, or a local checkpoint)."""

    def __init__(self, choice: ModelChoice) -> None:
        try:
            from detoxify import Detoxify  # optional and heavy: imported on use
        except ImportError:
            raise ToxicityUnavailableError(f"detoxify is not installed; {INSTALL_HINT}") from None
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a log, not a terminal: no progress bars
        try:
            self._model = Detoxify(
                model_type=choice.model,
                checkpoint=str(choice.checkpoint) if choice.checkpoint else None,
                huggingface_config_path=str(choice.config_dir) if choice.config_dir else None,
            )
        except Exception as error:
            where = choice.checkpoint or f"Detoxify's {choice.model} download"
            raise ToxicityUnavailableError(
                f"the {choice.model} model could not load from {where}: "
                f"{type(error).__name__}: {str(error)[:200]}"
            ) from None

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Score ``texts`` in one forward pass."""
        results: Mapping[str, Any] = self._model.predict(list(texts))
        scores: list[dict[str, float]] = [{} for _ in texts]
        for label, values in results.items():
            column = values if isinstance(values, list) else [values]
            for index, value in enumerate(column):
                scores[index][label] = float(value)
        return scores


_Request = tuple[str, "asyncio.Future[dict[str, float]]"]


def buckets(requests: list[_Request]) -> list[list[_Request]]:
    """Split a batch into runs of similar length (sorted by length)."""
    ordered = sorted(requests, key=lambda request: len(request[0]))
    groups: list[list[_Request]] = []
    for request in ordered:
        if groups and len(request[0]) <= BUCKET_RATIO * max(len(groups[-1][0][0]), 16):
            groups[-1].append(request)
        else:
            groups.append([request])
    return groups


class ToxicityWorker:
    """Scores messages in micro-batches in one worker thread; loads the model on first use."""

    def __init__(
        self,
        factory: Callable[[], Classifier],
        *,
        batch_size: int = 16,
        batch_wait: float = 0.005,
        max_characters: int = 2000,
    ) -> None:
        self._factory = factory
        self._batch_size = batch_size
        self._batch_wait = batch_wait
        self._max_characters = max_characters
        self._classifier: Classifier | None = None
        self._error: str | None = None
        self._queue: asyncio.Queue[_Request] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toxicity")
        self.batches = 0
        """How many batches were scored (for the benchmarks and tests)."""

    @property
    def error(self) -> str | None:
        """Why the model cannot be used, once known."""
        return self._error

    async def score(self, text: str) -> dict[str, float]:
        """The scores of ``text``; :class:`ToxicityUnavailableError` when there is no model."""
        if self._error is not None:
            raise ToxicityUnavailableError(self._error)
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._serve(self._queue), name="toxicity-batches")
        future: asyncio.Future[dict[str, float]] = loop.create_future()
        self._queue.put_nowait((text[: self._max_characters], future))
        return await future

    async def close(self) -> None:
        """Stop serving; a batch being scored finishes in its thread, unheard."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _serve(self, queue: asyncio.Queue[_Request]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            deadline = loop.time() + self._batch_wait
            while len(batch) < self._batch_size:
                remaining = deadline - loop.time()
                try:
                    if remaining <= 0:
                        batch.append(queue.get_nowait())
                    else:
                        batch.append(await asyncio.wait_for(queue.get(), remaining))
                except (asyncio.QueueEmpty, TimeoutError):
                    break
            if self._classifier is None and self._error is None:
                await self._load(loop)
            if self._error is not None:
                for _text, future in batch:
                    if not future.done():
                        future.set_exception(ToxicityUnavailableError(self._error))
                continue
            for group in buckets(batch):
                await self._score(loop, group)

    async def _load(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self._classifier = await loop.run_in_executor(self._executor, self._factory)
        except ToxicityUnavailableError as error:
            self._error = str(error)
        except Exception as error:
            self._error = f"the model could not load: {type(error).__name__}: {error}"[:300]
        if self._error is not None:
            log.error("toxicity checks are off: %s; every other rule still works", self._error)
        else:
            log.info("toxicity model loaded")

    async def _score(self, loop: asyncio.AbstractEventLoop, group: list[_Request]) -> None:
        classifier = self._classifier
        assert classifier is not None
        texts = [text for text, _future in group]
        try:
            scores = await loop.run_in_executor(self._executor, classifier.predict, texts)
        except Exception as error:
            log.exception("the toxicity model failed on a batch of %d", len(texts))
            for _text, future in group:
                if not future.done():
                    future.set_exception(
                        ToxicityUnavailableError(f"the model failed: {error}"[:300])
                    )
            return
        self.batches += 1
        for (_text, future), result in zip(group, scores, strict=True):
            if not future.done():
                future.set_result(result)
