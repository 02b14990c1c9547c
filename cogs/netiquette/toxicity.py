"""Toxicity scores from Detoxify, behind a :class:`Classifier` protocol, off the event loop.

The model is loaded lazily, once, in the worker's own thread, by Detoxify's own code; its linear
layers then run on oneDNN with weights packed once, where PyTorch has it (the same float32
arithmetic, two to three times faster on a CPU), and skip the rows of padding tokens. Messages are
queued and scored by continuous micro-batching: while the model scores one batch, the next one
gathers in the queue, and it is scored as soon as the model is free. Texts are cut at
``max_tokens``; a batch holding very different lengths is split into groups of similar length.
If Detoxify is not installed or its model cannot load, :class:`ToxicityUnavailableError` says
why, every time, and everything else keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    import torch

log = logging.getLogger("cogs.netiquette.toxicity")

INSTALL_HINT = (
    "install PyTorch first (pip install torch==2.13.0), then the toxicity extra from "
    "Jardinier's folder (pip install -e '.[toxicity]')"
)
NOT_INSTALLED = f"detoxify is not installed; {INSTALL_HINT}"
"""Why toxicity rules cannot run on a machine without the toxicity extra."""
OFF_LOG = "toxicity checks are off: %s; every other rule still works"
"""The log line (with its reason) of toxicity checks that cannot run."""
PASS_COST_TOKENS = 16
"""What one forward pass costs beyond its tokens, in tokens: a bert-base pass over one short
message on a CPU takes about as long as 16 more tokens in a big batch (it streams all the weights
once). A batch is split by length only where the padding saved is worth more than that."""
MODEL_NICENESS = 10
"""How far below the event loop the model's thread runs (``nice``). On a busy machine the loop
(every other rule, the welcome, the commands) takes the CPU first and the model scores with what
is left: a burst the model cannot keep up with no longer delays every event by milliseconds, it
leaves more messages unscored. A bot that is not saturated gives the model all its spare CPU."""
UNPADDED_WEIGHT = 0.2
"""What a padding token costs, relative to a real one, when the linear layers skip padding:
only attention, normalisation and activations still run on it."""


class ToxicityUnavailableError(Exception):
    """The toxicity model cannot be used; the message says why and what to do."""


class Classifier(Protocol):
    """Scores texts: one mapping of label to probability per text."""

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Score ``texts`` (blocking: call it off the event loop)."""
        ...


@dataclass(frozen=True)
class ModelChoice:
    """Which Detoxify model to load, from where, and how much of a message it reads."""

    model: str = "multilingual"
    checkpoint: Path | None = None
    config_dir: Path | None = None
    max_tokens: int = 256
    """Longer texts are cut to their first ``max_tokens`` tokens before scoring."""


def length_groups(
    lengths: Sequence[int], pass_cost: float = PASS_COST_TOKENS, padding_weight: float = 1.0
) -> list[list[int]]:
    """Indices of ``lengths`` split into runs of similar length, shortest first.

    Each group is padded to its longest member and costs one pass; the split minimises
    ``pass_cost`` per group plus ``padding_weight`` per padding token (exact, by dynamic
    programming over the sorted lengths: a batch holds at most a few hundred texts).
    """
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    ordered = [lengths[index] for index in order]
    total = [0]
    for length in ordered:
        total.append(total[-1] + length)
    best = [0.0] * (len(ordered) + 1)  # best[end]: cheapest split of ordered[:end]
    cut = [0] * (len(ordered) + 1)
    for end in range(1, len(ordered) + 1):
        best[end], cut[end] = min(
            (
                best[start]
                + pass_cost
                + padding_weight * ((end - start) * ordered[end - 1] - total[end] + total[start]),
                start,
            )
            for start in range(end)
        )
    groups: list[list[int]] = []
    end = len(ordered)
    while end > 0:
        groups.append(order[cut[end] : end])
        end = cut[end]
    return groups[::-1]


class TokenRows:
    """Which rows of a padded batch hold real tokens, set while the model scores it.

    The linear layers, most of a transformer's work, act on each token alone: they can skip
    the padding rows, whose values the attention mask hides from the real tokens anyway.
    """

    def __init__(self) -> None:
        self.indices: torch.Tensor | None = None
        """Flat indices (``batch * length``) of the real tokens; None: every row is real."""
        self.shape: tuple[int, int] = (0, 0)
        """The padded batch's ``(batch, length)``."""


@functools.cache
def _packed_linear() -> type[torch.nn.Module]:
    """The oneDNN stand-in for ``nn.Linear`` (a class made on first use: torch is optional)."""
    import torch

    class PackedLinear(torch.nn.Module):
        """``nn.Linear`` on oneDNN, its weight packed once, skipping padding rows."""

        def __init__(self, linear: torch.nn.Linear, rows: TokenRows) -> None:
            super().__init__()
            self.in_features = linear.in_features
            self.out_features = linear.out_features
            self.rows = rows
            weight = linear.weight.detach()
            self.register_buffer("packed", torch.ops.mkldnn._reorder_linear_weight(weight, None))
            self.register_buffer("bias", None if linear.bias is None else linear.bias.detach())

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            indices = self.rows.indices
            if indices is None or inputs.dim() != 3 or tuple(inputs.shape[:2]) != self.rows.shape:
                return self._linear(inputs)
            flat = inputs.reshape(-1, self.in_features).index_select(0, indices)
            outputs = inputs.new_zeros((inputs.shape[0] * inputs.shape[1], self.out_features))
            outputs.index_copy_(0, indices, self._linear(flat))
            return outputs.view(inputs.shape[0], inputs.shape[1], self.out_features)

        def _linear(self, inputs: torch.Tensor) -> torch.Tensor:
            return torch.ops.mkldnn._linear_pointwise(
                inputs, self.packed, self.bias, "none", [], ""
            )

    return PackedLinear


def pack_linear_layers(model: torch.nn.Module, rows: TokenRows) -> int:
    """Swap the float32 CPU ``nn.Linear`` layers of ``model`` for oneDNN ones; how many.

    PyTorch's own CPU matrix product goes through MKL, which runs its slower generic code on
    non-Intel processors; oneDNN does not, and a weight packed once is not re-laid out on every
    call. The arithmetic stays float32 (results agree to about 1e-6). The new layers skip the
    padding rows that ``rows`` names. Nothing is swapped when this build of PyTorch lacks oneDNN
    or the first layer does not give the same result.
    """
    import torch

    linears = [
        (parent, name, child)
        for parent in model.modules()
        for name, child in parent.named_children()
        if isinstance(child, torch.nn.Linear)
        and child.weight.device.type == "cpu"
        and child.weight.dtype == torch.float32
    ]
    if not linears or not torch.backends.mkldnn.is_available():
        return 0
    try:
        _parent, _name, first = linears[0]
        probe = torch.randn(3, first.in_features)
        with torch.inference_mode():
            expected = first(probe)
            got = _packed_linear()(first, rows)(probe)
        if not torch.allclose(expected, got, rtol=1e-4, atol=1e-4):
            return 0
        for parent, name, child in linears:
            setattr(parent, name, _packed_linear()(child, rows))
    except (RuntimeError, AttributeError, NotImplementedError) as error:
        log.info("toxicity model: oneDNN linear layers unavailable (%s)", error)
        return 0
    return len(linears)


class DetoxifyClassifier:
    """Detoxify's model (downloaded by Detoxify, or a local checkpoint), scored with its labels.

    Use it from one thread (the worker's): PyTorch is fastest when a single thread drives it,
    and a batch being scored keeps its padding rows in the classifier.
    """

    def __init__(self, choice: ModelChoice) -> None:
        try:
            from detoxify import Detoxify  # optional and heavy: imported on use
        except ImportError:
            raise ToxicityUnavailableError(NOT_INSTALLED) from None
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a log, not a terminal: no progress bars
        try:
            detoxify = Detoxify(
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
        # Detoxify's predict() is tokenizer + model + sigmoid; calling the parts directly lets a
        # batch be cut, grouped by length and padded per group, with Detoxify's label names.
        self._model: Any = detoxify.model.eval()
        self._tokenizer: Any = detoxify.tokenizer
        self._labels: list[str] = list(detoxify.class_names)
        self._max_tokens = min(choice.max_tokens, self._tokenizer.model_max_length)
        self._rows = TokenRows()
        self.packed_layers = pack_linear_layers(self._model, self._rows)
        """How many linear layers run on oneDNN (0: PyTorch's default kernels)."""
        log.info("toxicity model: %d linear layers on oneDNN", self.packed_layers)

    def predict(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Score ``texts``: one forward pass per group of similar token length."""
        import torch

        if not texts:
            return []
        encoded = self._tokenizer(list(texts), truncation=True, max_length=self._max_tokens)
        scores: list[dict[str, float]] = [{} for _ in texts]
        lengths = [len(ids) for ids in encoded["input_ids"]]
        padding_weight = UNPADDED_WEIGHT if self.packed_layers else 1.0
        for group in length_groups(lengths, padding_weight=padding_weight):
            inputs = self._tokenizer.pad(
                {key: [values[index] for index in group] for key, values in encoded.items()},
                return_tensors="pt",
            )
            mask = inputs.get("attention_mask")
            if self.packed_layers and mask is not None and not bool(mask.all()):
                self._rows.indices = mask.flatten().nonzero().squeeze(1)
                self._rows.shape = (mask.shape[0], mask.shape[1])
            try:
                with torch.inference_mode():
                    probabilities = torch.sigmoid(self._model(**inputs)[0]).tolist()
            finally:
                self._rows.indices = None
            for index, row in zip(group, probabilities, strict=True):
                scores[index] = dict(zip(self._labels, map(float, row), strict=True))
        return scores


def run_below_the_loop() -> None:
    """Lower the calling thread's priority by :data:`MODEL_NICENESS` (Linux, where ``nice`` is
    per thread; the threads PyTorch starts from it inherit it). Elsewhere, nothing."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    try:
        niceness = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, niceness + MODEL_NICENESS))
    except OSError as error:
        log.debug("the toxicity thread keeps the loop's priority: %s", error)


class _Request(NamedTuple):
    text: str
    future: asyncio.Future[dict[str, float]]
    queued_at: float


class ToxicityWorker:
    """Scores messages in micro-batches in one worker thread; loads the model on first use.

    Batching is continuous: a batch takes what is queued when the model is free, up to
    ``batch_size``, and waits for more only while its oldest message has waited less than
    ``batch_wait`` seconds. Under load, batches grow by themselves while the previous one runs;
    alone, a message is scored at once (with ``batch_wait`` 0).
    """

    def __init__(
        self,
        factory: Callable[[], Classifier],
        *,
        batch_size: int = 32,
        batch_wait: float = 0.0,
        max_characters: int = 2000,
        unavailable: str | None = None,
    ) -> None:
        """``unavailable``: why the model cannot run, known (and logged) before any message; the
        worker then loads nothing, logs nothing more, and every score raises it."""
        self._factory = factory
        self._batch_size = batch_size
        self._batch_wait = batch_wait
        self._max_characters = max_characters
        self._classifier: Classifier | None = None
        self._error: str | None = unavailable
        self._queue: asyncio.Queue[_Request] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="toxicity", initializer=run_below_the_loop
        )
        self.batches = 0
        """How many batches were scored (for the benchmarks and tests)."""

    @property
    def error(self) -> str | None:
        """Why the model cannot be used, once known."""
        return self._error

    @property
    def waiting(self) -> int:
        """How many messages are queued for a batch the model has not taken yet."""
        return 0 if self._queue is None else self._queue.qsize()

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
        self._queue.put_nowait(_Request(text[: self._max_characters], future, loop.time()))
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
            batch = await self._next_batch(queue, loop)
            if self._classifier is None and self._error is None:
                await self._load(loop)
            if self._error is not None:
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(ToxicityUnavailableError(self._error))
                continue
            await self._score(loop, batch)

    async def _next_batch(
        self, queue: asyncio.Queue[_Request], loop: asyncio.AbstractEventLoop
    ) -> list[_Request]:
        batch = [await queue.get()]
        deadline = batch[0].queued_at + self._batch_wait
        while len(batch) < self._batch_size:
            if not queue.empty():
                batch.append(queue.get_nowait())
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(queue.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _load(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self._classifier = await loop.run_in_executor(self._executor, self._factory)
        except ToxicityUnavailableError as error:
            self._error = str(error)
        except Exception as error:
            self._error = f"the model could not load: {type(error).__name__}: {error}"[:300]
        if self._error is not None:
            log.error(OFF_LOG, self._error)
        else:
            log.info("toxicity model loaded")

    async def _score(self, loop: asyncio.AbstractEventLoop, batch: list[_Request]) -> None:
        classifier = self._classifier
        assert classifier is not None
        texts = [request.text for request in batch]
        try:
            scores = await loop.run_in_executor(self._executor, classifier.predict, texts)
        except Exception as error:
            log.exception("the toxicity model failed on a batch of %d", len(texts))
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(
                        ToxicityUnavailableError(f"the model failed: {error}"[:300])
                    )
            return
        self.batches += 1
        for request, result in zip(batch, scores, strict=True):
            if not request.future.done():
                request.future.set_result(result)
