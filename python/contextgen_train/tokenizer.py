"""Word tokenizer (CONTRACTS 3): lowercase, non [a-z0-9] -> space, split, <unk> = 1, <bos> = 2 first."""

from __future__ import annotations

import json
import re
from pathlib import Path

PAD, UNK, BOS = 0, 1, 2
SPECIALS = ["<pad>", "<unk>", "<bos>"]
_NON_WORD = re.compile(r"[^a-z0-9]")


def words(text: str) -> list[str]:
    return _NON_WORD.sub(" ", text.lower()).split()


class WordTokenizer:
    def __init__(self, tokens: list[str]):
        if tokens[:3] != SPECIALS:
            raise ValueError(f"vocab must start with {SPECIALS}, got {tokens[:3]}; rebuild it with WordTokenizer.build")
        self.tokens = list(tokens)
        self.ids = {w: i for i, w in enumerate(self.tokens)}

    @staticmethod
    def build(vocab_words: list[str]) -> "WordTokenizer":
        """From a dataset's meta.json vocab: words normalised, de-duplicated, order kept."""
        seen: list[str] = []
        for w in (x for entry in vocab_words for x in words(entry)):
            if w not in seen and w not in SPECIALS:
                seen.append(w)
        return WordTokenizer(SPECIALS + seen)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str, max_length: int) -> list[int]:
        ids = [BOS] + [self.ids.get(w, UNK) for w in words(text)]
        return ids[:max_length]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"tokens": self.tokens}, indent=0))

    @staticmethod
    def load(path: str | Path) -> "WordTokenizer":
        return WordTokenizer(json.loads(Path(path).read_text())["tokens"])
