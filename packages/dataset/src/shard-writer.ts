/** Rendering one shard to disk: records written in id order to a temp file, then renamed. */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { renderSample } from './sample.ts';
import type { RenderContext } from './sample.ts';
import { encodeRecord, shardFileName } from './shard.ts';

export interface ShardJob {
  readonly shard: number;
  readonly first: number;
  readonly count: number;
}

/** Render a shard's samples and write them; returns the byte count. */
export function writeShard(
  ctx: RenderContext,
  job: ShardJob,
  outDir: string,
  onSample?: () => void,
): number {
  const final = join(outDir, shardFileName(job.shard));
  const tmp = `${final}.partial`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  try {
    for (let id = job.first; id < job.first + job.count; id++) {
      const record = encodeRecord(renderSample(ctx, id), ctx.size, ctx.refSize);
      writeSync(fd, record);
      bytes += record.length;
      onSample?.();
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
  return bytes;
}
