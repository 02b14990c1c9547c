"""Toxicity throughput: a Detoxify model of bert-base geometry (random weights, built locally,
never downloaded), one message at a time against the micro-batching worker.

"One at a time" scores each message alone, waiting for its verdict before the next (batch size
1); "micro-batching" submits the same messages as they arrive to the netiquette's
``ToxicityWorker`` (batches of ``batch_size``, bucketed by length). Prints one JSON object with
both throughputs, the speed-up, and the latency percentiles. Timing is shown, never asserted.
Usage: python bench/toxicity.py [messages] [--tiny]   (--tiny: a 2-layer model, for smoke tests)
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE = {
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
}
TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
}
LABELS = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
WORDS = [
    "the",
    "garden",
    "tomatoes",
    "basil",
    "seeds",
    "water",
    "soil",
    "compost",
    "plant",
    "grow",
    "sun",
    "rain",
    "you",
    "are",
    "an",
    "idiot",
    "hello",
    "friend",
    "nice",
    "day",
    "flowers",
    "thanks",
    "please",
    "who",
    "wants",
    "to",
    "help",
    "this",
    "saturday",
    "with",
    "my",
    "plot",
    "stupid",
    "fool",
    "share",
    "courgettes",
    "balcony",
    "herbs",
    "greenhouse",
    "lamp",
    "weekend",
    "swap",
    "list",
]


def build_checkpoint(folder: Path, geometry: dict[str, int]) -> tuple[Path, Path]:
    """Write a Detoxify checkpoint with random weights of ``geometry``; (checkpoint, config)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(WORDS))]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": True, "model_max_length": 512}), encoding="utf-8"
    )
    config = BertConfig(vocab_size=len(vocab), num_labels=len(LABELS), **geometry)
    config.save_pretrained(folder)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    checkpoint = folder / "model.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(folder),
                        "model_name": "BertForSequenceClassification",
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": len(LABELS),
                    }
                },
                "dataset": {"args": {"classes": LABELS}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint, folder


def messages(count: int) -> list[str]:
    """Chat-like messages of 3 to 30 words."""
    pick = random.Random(7)
    return [" ".join(pick.choices(WORDS, k=pick.randint(3, 30))) for _ in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(count: int, tiny: bool) -> dict[str, Any]:
    from cogs.netiquette.toxicity import DetoxifyClassifier, ModelChoice, ToxicityWorker

    with tempfile.TemporaryDirectory() as folder:
        checkpoint, config_dir = build_checkpoint(Path(folder), TINY if tiny else BASE)
        choice = ModelChoice("original", checkpoint, config_dir)
        classifier = DetoxifyClassifier(choice)
        texts = messages(count)
        classifier.predict(texts[:2])  # load and warm up outside the timings

        single: list[float] = []
        started = time.perf_counter()
        for text in texts:
            start = time.perf_counter()
            await asyncio.to_thread(classifier.predict, [text])
            single.append(time.perf_counter() - start)
        single_rate = count / (time.perf_counter() - started)

        worker = ToxicityWorker(
            lambda: classifier, batch_size=16, batch_wait=0.005, max_characters=2000
        )
        await worker.score(texts[0])
        latencies: list[float] = []

        async def one(text: str) -> None:
            start = time.perf_counter()
            await worker.score(text)
            latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(one(text) for text in texts))
        batched_rate = count / (time.perf_counter() - started)
        await worker.close()
    return {
        "model": "tiny" if tiny else "bert-base geometry, random weights",
        "messages": count,
        "one_at_a_time_messages_per_s": round(single_rate, 1),
        "one_at_a_time_p50_ms": round(percentile(single, 0.5) * 1000, 1),
        "micro_batching_messages_per_s": round(batched_rate, 1),
        "micro_batching_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "micro_batching_p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "speedup": round(batched_rate / single_rate, 2),
    }


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    total = int(arguments[0]) if arguments else 128
    print(json.dumps(asyncio.run(main(total, "--tiny" in sys.argv))))
