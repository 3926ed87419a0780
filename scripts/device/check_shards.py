#!/usr/bin/env python3
"""Check an IMIG-Synth dataset folder (spec/CONTRACTS.md section 5) with the standard library only.

    python3 scripts/device/check_shards.py DIR [--expect-count N] [--deep K] [--json]

Walks every record of every shard: record count per shard and in total, header fields, byte sizes,
levels, boxes inside the canvas, reference alpha present. For the first K records of each shard
(--deep, default 4) it also checks that every visible mask lies inside its instance box. When the
training package (python/contextgen_train, needs numpy) is importable it reads one record back with
its ShardReader and compares it byte for byte. Prints a summary; exits 1 on the first problem.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys


def fail(msg: str) -> None:
    print(f"check_shards: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def mask_inside_box(mask: bytes, size: int, box: list[int]) -> bool:
    x1, y1, x2, y2 = box
    for y in range(size):
        row = mask[y * size:(y + 1) * size]
        if y < y1 or y >= y2:
            if any(row):
                return False
        elif any(row[:max(0, x1)]) or any(row[max(0, x2):]):
            return False
    return True


def walk_shard(path: str, size: int, ref: int, deep: int, first_record: dict):
    s2 = size * size
    n = 0
    total_instances = 0
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off < len(data):
        if off + 4 > len(data):
            fail(f"{path}: truncated record length at byte {off}")
        (hlen,) = struct.unpack_from("<I", data, off)
        header = json.loads(data[off + 4:off + 4 + hlen].decode("utf-8"))
        for key in ("id", "scene", "level", "caption", "instances"):
            if key not in header:
                fail(f"{path}: record at byte {off} has no '{key}'")
        k = len(header["instances"])
        if k != header["level"] or not 1 <= k <= 8:
            fail(f"{path}: record {header['id']} level {header['level']} but {k} instances")
        body = off + 4 + hlen
        end = body + 2 * s2 * 3 + k * (ref * ref * 4 + s2)
        if end > len(data):
            fail(f"{path}: record {header['id']} runs past the end of the shard")
        p = body + 2 * s2 * 3
        for j, inst in enumerate(header["instances"]):
            for key in ("identity", "name", "phrase", "box", "z"):
                if key not in inst:
                    fail(f"{path}: record {header['id']} instance {j} has no '{key}'")
            x1, y1, x2, y2 = inst["box"]
            if not (0 <= x1 < x2 <= size and 0 <= y1 < y2 <= size):
                fail(f"{path}: record {header['id']} instance {j} box {inst['box']} outside the {size}px canvas")
            alpha = data[p + 3:p + ref * ref * 4:4]
            if not any(alpha):
                fail(f"{path}: record {header['id']} instance {j} reference has an empty alpha mask")
            mask = data[p + ref * ref * 4:p + ref * ref * 4 + s2]
            if n < deep and not mask_inside_box(mask, size, inst["box"]):
                fail(f"{path}: record {header['id']} instance {j} visible mask leaves its box {inst['box']}")
            p += ref * ref * 4 + s2
        if not first_record:
            first_record.update(header=header, offset=off, path=path)
        total_instances += k
        n += 1
        off = end
    return n, total_instances, len(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--expect-count", type=int)
    ap.add_argument("--deep", type=int, default=4)
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args()
    meta_path = os.path.join(args.folder, "meta.json")
    if not os.path.exists(meta_path):
        fail(f"{meta_path} missing (an unfinished build writes meta.json only at the end: rerun it)")
    with open(meta_path) as f:
        meta = json.load(f)
    if meta.get("format") != "imig-synth/1":
        fail(f"format {meta.get('format')!r}, expected 'imig-synth/1'")
    size, ref = meta["size"], meta["refSize"]
    total = instances = nbytes = 0
    first: dict = {}
    for shard in meta["shards"]:
        n, k, b = walk_shard(os.path.join(args.folder, shard["file"]), size, ref, args.deep, first)
        if n != shard["count"]:
            fail(f"{shard['file']}: {n} records, meta.json says {shard['count']}")
        total += n
        instances += k
        nbytes += b
    if total != meta["count"]:
        fail(f"{total} records, meta.json count {meta['count']}")
    if args.expect_count is not None and total != args.expect_count:
        fail(f"{total} records, expected {args.expect_count}")
    if not meta.get("vocab"):
        fail("meta.json has no vocab")
    reader = "not available"
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "python"))
    try:
        from contextgen_train.shards import ShardReader  # type: ignore
    except Exception as exc:  # numpy or the package missing: the stdlib checks above still ran
        reader = f"skipped ({type(exc).__name__})"
    else:
        r = ShardReader(args.folder)
        if len(r) != total:
            fail(f"ShardReader sees {len(r)} records, expected {total}")
        s = r[0]
        if s.header != first["header"]:
            fail("ShardReader header of record 0 differs from the raw bytes")
        with open(first["path"], "rb") as f:
            raw = f.read()
        (hlen,) = struct.unpack_from("<I", raw, 0)
        body = 4 + hlen
        if s.target.tobytes() != raw[body:body + size * size * 3]:
            fail("ShardReader target of record 0 differs from the raw bytes")
        reader = f"ok ({len(r)} records via contextgen_train.shards.ShardReader)"
    summary = {"records": total, "shards": len(meta["shards"]), "instances": instances, "bytes": nbytes,
               "bytes_per_sample": round(nbytes / max(1, total)), "size": size, "refSize": ref,
               "split": meta.get("split"), "vocab": len(meta["vocab"]), "python_reader": reader}
    print(json.dumps(summary) if args.json else "check_shards: OK " + " ".join(f"{k}={v}" for k, v in summary.items()))


if __name__ == "__main__":
    main()
