import json
from pathlib import Path

import pytest

from contextgen_train.tokenizer import BOS, UNK, WordTokenizer

SPEC = Path(__file__).resolve().parents[2] / "spec" / "tokenizer.json"


def test_contract_rules():
    tok = WordTokenizer.build(["Cat", "hot-dog", "cat", "red"])
    assert tok.tokens == ["<pad>", "<unk>", "<bos>", "cat", "hot", "dog", "red"]
    assert tok.encode("", 8) == [BOS]
    assert tok.encode("A RED cat!!  hot_dog?", 8) == [BOS, UNK, 6, 3, 4, 5]
    assert tok.encode("cat cat cat cat", 3) == [BOS, 3, 3]


def test_vocab_round_trip(tmp_path):
    tok = WordTokenizer.build(["alpha", "beta"])
    tok.save(tmp_path / "vocab.json")
    assert WordTokenizer.load(tmp_path / "vocab.json").tokens == tok.tokens


def test_rejects_vocab_without_specials():
    with pytest.raises(ValueError, match="must start with"):
        WordTokenizer(["cat", "dog"])


def test_golden_tokenizer_cases():
    if not SPEC.exists():
        pytest.skip("spec/tokenizer.json not written yet (core helper)")
    spec = json.loads(SPEC.read_text())
    tok = WordTokenizer(spec["vocab"])
    for case in spec["cases"]:
        assert tok.encode(case["text"], case["maxLength"]) == case["ids"], case["text"]
