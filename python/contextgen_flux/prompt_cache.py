"""Bounded LRU of prompt embeddings: the same prompt skips CLIP and T5 (about 10 GB of encoders on the GPU path).

Keyed by everything the embedding depends on: the full text sent to the encoders, the T5 length, device and
dtype. Values are the encoder outputs (T5 states [1, L, 4096], pooled CLIP [1, 768], text ids [L, 3]); a hit
returns clones, so a caller that edits them in place cannot change the cached copy. The encoders' weights do not
change while a worker runs, so an entry never goes stale."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import torch

Embeds = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


class PromptCache:
    def __init__(self, entries: int) -> None:
        if not isinstance(entries, int) or entries < 0:
            raise ValueError(f"prompt cache size must be an integer >= 0 (got {entries!r}); 0 turns it off")
        self.entries = entries
        self._store: OrderedDict[tuple, Embeds] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple, encode: Callable[[], Embeds]) -> Embeds:
        if self.entries == 0:
            self.misses += 1
            return encode()
        if key in self._store:
            self._store.move_to_end(key)
            self.hits += 1
            return tuple(t.clone() for t in self._store[key])  # type: ignore[return-value]
        self.misses += 1
        value = tuple(t.detach() for t in encode())
        self._store[key] = value  # type: ignore[assignment]
        while len(self._store) > self.entries:
            self._store.popitem(last=False)
        return tuple(t.clone() for t in value)  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._store)

    def encode_prompt(self, pipe, prompt: str, device: torch.device, max_sequence_length: int) -> Embeds:
        """pipe.encode_prompt(prompt, prompt_2=None, ...) through the cache."""
        dtype = pipe.text_encoder_2.dtype if getattr(pipe, "text_encoder_2", None) is not None else None
        key = (prompt, int(max_sequence_length), str(device), str(dtype))
        return self.get(key, lambda: pipe.encode_prompt(prompt=prompt, prompt_2=None, device=device,
                                                        max_sequence_length=max_sequence_length))
