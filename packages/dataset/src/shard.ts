/**
 * The IMIG-Synth shard record (spec/CONTRACTS.md section 5):
 * u32 LE header length, UTF-8 JSON header, target RGB (S*S*3), layout RGB (S*S*3), then per
 * instance in header order: reference RGBA (R*R*4) and visible mask (S*S).
 */
import type { Box, Sample } from './sample.ts';

export const DATASET_FORMAT = 'imig-synth/1';

export interface RecordHeader {
  readonly id: number;
  readonly scene: string;
  readonly level: number;
  readonly caption: string;
  readonly instances: { identity: string; name: string; phrase: string; box: Box; z: number }[];
}

export interface ShardEntry {
  readonly file: string;
  readonly count: number;
}

export interface DatasetMeta {
  readonly format: typeof DATASET_FORMAT;
  readonly size: number;
  readonly refSize: number;
  readonly seed: number;
  readonly split: 'train' | 'heldout';
  readonly count: number;
  readonly shardSize: number;
  readonly levels: readonly [number, number];
  readonly shards: ShardEntry[];
  readonly vocab: string[];
  readonly identities: string[];
}

export function shardFileName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}.bin`;
}

/** Encode one sample as a record. */
export function encodeRecord(sample: Sample, size: number, refSize: number): Uint8Array {
  const header: RecordHeader = {
    id: sample.id,
    scene: sample.scene,
    level: sample.level,
    caption: sample.caption,
    instances: sample.instances.map(({ identity, name, phrase, box, z }) => ({
      identity,
      name,
      phrase,
      box,
      z,
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const S2 = size * size;
  const perInstance = refSize * refSize * 4 + S2;
  const out = new Uint8Array(4 + json.length + 2 * S2 * 3 + sample.instances.length * perInstance);
  new DataView(out.buffer).setUint32(0, json.length, true);
  let o = 4;
  out.set(json, o);
  o += json.length;
  out.set(sample.target, o);
  o += S2 * 3;
  out.set(sample.layout, o);
  o += S2 * 3;
  for (const inst of sample.instances) {
    out.set(inst.reference, o);
    o += refSize * refSize * 4;
    out.set(inst.mask, o);
    o += S2;
  }
  return out;
}

export interface DecodedRecord {
  readonly header: RecordHeader;
  readonly target: Uint8Array;
  readonly layout: Uint8Array;
  readonly references: Uint8Array[];
  readonly masks: Uint8Array[];
  /** Byte length of the whole record. */
  readonly length: number;
}

/** Decode the record starting at `offset`; throws with the offset when the bytes are short. */
export function decodeRecord(
  bytes: Uint8Array,
  offset: number,
  size: number,
  refSize: number,
): DecodedRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (offset + 4 > bytes.length)
    throw new Error(`shard truncated at byte ${offset}: no record header length`);
  const headerLength = view.getUint32(offset, true);
  let o = offset + 4;
  if (o + headerLength > bytes.length)
    throw new Error(`shard truncated at byte ${offset}: header runs past the end`);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(o, o + headerLength)),
  ) as RecordHeader;
  o += headerLength;
  const S2 = size * size;
  const R4 = refSize * refSize * 4;
  const need = 2 * S2 * 3 + header.instances.length * (R4 + S2);
  if (o + need > bytes.length)
    throw new Error(
      `shard truncated in record ${header.id}: ${bytes.length - o} of ${need} pixel bytes`,
    );
  const target = bytes.subarray(o, o + S2 * 3);
  o += S2 * 3;
  const layout = bytes.subarray(o, o + S2 * 3);
  o += S2 * 3;
  const references: Uint8Array[] = [];
  const masks: Uint8Array[] = [];
  for (let j = 0; j < header.instances.length; j++) {
    references.push(bytes.subarray(o, o + R4));
    o += R4;
    masks.push(bytes.subarray(o, o + S2));
    o += S2;
  }
  return { header, target, layout, references, masks, length: o - offset };
}

/** Decode every record of a shard. */
export function decodeShard(bytes: Uint8Array, size: number, refSize: number): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const record = decodeRecord(bytes, offset, size, refSize);
    records.push(record);
    offset += record.length;
  }
  return records;
}
