"""A deterministic stand-in for the CLIP tokenizer.

This is NOT CLIP's byte-pair encoding: each lower-cased word becomes a stable hash-derived id below the
special ids, wrapped in BOS / EOS and padded with EOS to ``max_length``. Real tokenization costs microseconds
next to a denoising step, and the ids only index the same embedding table, so the benchmark's cost is the
same; the images are not meaningful anyway with random weights.
"""
from __future__ import annotations

import zlib

import torch

CLIP_VOCAB = 49408
CLIP_BOS = 49406
CLIP_EOS = 49407


def special_ids(vocab_size: int):
    """(BOS, EOS): CLIP's 49406 / 49407 for the full vocabulary, else the two largest ids."""
    if vocab_size == CLIP_VOCAB:
        return CLIP_BOS, CLIP_EOS
    if vocab_size < 3:
        raise ValueError(f"vocab_size must be >= 3, was {vocab_size}")
    return vocab_size - 2, vocab_size - 1


def tokenize(prompt: str, batch: int, vocab_size: int, max_length: int = 77) -> torch.Tensor:
    """``[batch, max_length]`` int64 ids for ``prompt`` (every row the same); EOS is the largest id in a row."""
    if batch < 1:
        raise ValueError(f"batch must be >= 1, was {batch}")
    if max_length < 2:
        raise ValueError(f"max_length must be >= 2, was {max_length}")
    bos, eos = special_ids(vocab_size)
    words = prompt.lower().split()[: max_length - 2]
    ids = [bos] + [zlib.crc32(w.encode("utf-8")) % bos for w in words] + [eos]
    ids += [eos] * (max_length - len(ids))
    return torch.tensor([ids] * batch, dtype=torch.long)
