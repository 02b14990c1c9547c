"""Writing a model as a local Detoxify checkpoint: what ``toxicity.checkpoint`` and
``toxicity.config_dir`` in the rule book point to.

Detoxify reads a ``torch.save``d mapping: the model's ``state_dict`` and a ``config`` naming the
Hugging Face architecture, tokenizer and label names; the architecture's configuration and the
tokenizer's vocabulary sit in a folder of their own. This writes both, for a model trained or
converted elsewhere (and for the tests and benchmarks, which build small ones).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ARCHITECTURE = "BertForSequenceClassification"
TOKENIZER = "BertTokenizer"


def write_checkpoint(
    folder: Path,
    model: Any,
    *,
    vocabulary: Sequence[str],
    labels: Sequence[str],
    max_tokens: int = 512,
    name: str = "model.ckpt",
) -> Path:
    """Write ``model`` (a ``BertForSequenceClassification``) and its tokenizer into ``folder``.

    ``vocabulary`` is the WordPiece vocabulary, special tokens first; ``labels`` names the
    model's outputs in order. Returns the checkpoint's path; ``folder`` is the ``config_dir``.
    """
    import torch  # heavy: only loaded by whoever writes a model

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"do_lower_case": True, "model_max_length": max_tokens}), encoding="utf-8"
    )
    model.config.save_pretrained(folder)
    checkpoint = folder / name
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": str(folder),
                        "model_name": ARCHITECTURE,
                        "tokenizer_name": TOKENIZER,
                        "num_classes": len(labels),
                    }
                },
                "dataset": {"args": {"classes": list(labels)}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint
