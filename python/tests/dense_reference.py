"""Dense attention-mask reference written straight from the DESIGN 4 table (for tests only):
per (query, key) pair, with segment names and instance boxes instead of descriptors and bits."""

from __future__ import annotations

import numpy as np


def token_list(text: int, phrases: list[int], main_boxes: list[set], hm: int, wm: int, refs: list) -> list[dict]:
    """Tokens in sequence order: dicts with kind, instance, the set of boxes covering it, valid."""
    toks = [{"kind": "text"} for _ in range(text)]
    for j, n in enumerate(phrases):
        toks += [{"kind": "phrase", "j": j} for _ in range(n)]
    for y in range(hm):
        for x in range(wm):
            toks.append({"kind": "main", "boxes": {j for j, cells in enumerate(main_boxes) if (y, x) in cells}})
    toks += [{"kind": "layout"} for _ in range(hm * wm)]
    for j, valid in enumerate(refs):
        if valid is not None:
            toks += [{"kind": "ref", "j": j, "valid": bool(v)} for v in np.asarray(valid).reshape(-1)]
    return toks


def dense_masks(toks: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    n = len(toks)
    cla, ica = np.zeros((n, n), bool), np.zeros((n, n), bool)
    for a, q in enumerate(toks):
        for b, k in enumerate(toks):
            for kind, out in (("cla", cla), ("ica", ica)):
                ok = False
                if q["kind"] in ("text", "layout"):
                    ok = k["kind"] in ("text", "main", "layout")
                elif q["kind"] == "main":
                    ok = k["kind"] in ("text", "main", "layout") \
                        or (k["kind"] == "phrase" and k["j"] in q["boxes"]) \
                        or (kind == "ica" and k["kind"] == "ref" and k["valid"] and k["j"] in q["boxes"])
                elif q["kind"] == "ref":
                    ok = k["kind"] == "text" or (k["kind"] == "ref" and k["j"] == q["j"] and k["valid"])
                elif q["kind"] == "phrase":
                    ok = k["kind"] == "phrase" and k["j"] == q["j"]
                elif q["kind"] == "pad":
                    ok = k["kind"] == "pad"
                out[a, b] = ok
    return cla, ica
