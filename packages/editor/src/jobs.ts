/**
 * The server's jobs as the editor sees them: a finished job becomes a history entry (after a
 * reload, or one started in another tab), rebuilt from the request the server kept. Upload
 * ids are mapped back to the library's assets; a reference the library no longer holds
 * leaves a phrase-only box.
 */
import { boxFromArray, fitBox } from './geometry.ts';
import { DEFAULT_SETTINGS } from './state.ts';
import type { Asset, HistoryEntry, Instance } from './types.ts';

/** The part of a server job record (GET /api/jobs) the editor reads. */
export interface ServerJob {
  readonly id: string;
  readonly model: string;
  readonly status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly request: {
    readonly width: number;
    readonly height: number;
    readonly prompt: string;
    readonly steps?: number;
    readonly guidance?: number;
    readonly seed?: number;
    readonly instances: readonly {
      readonly box: readonly [number, number, number, number];
      readonly reference?: string;
      readonly phrase?: string;
      readonly z?: number;
      readonly resize?: Instance['resize'];
    }[];
  };
  readonly result?: {
    readonly seed: number;
    readonly untrained: boolean;
    readonly warnings: readonly string[];
    readonly resultUrl: string;
    readonly layoutUrl: string;
  };
  readonly error?: { readonly message: string; readonly field?: string };
}

export const isFinished = (j: Pick<ServerJob, 'status'>): boolean =>
  j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled';

/** A succeeded job as a history entry (undefined for any other status). */
export function historyEntryFromJob(
  job: ServerJob,
  assets: readonly Asset[],
): HistoryEntry | undefined {
  if (job.status !== 'succeeded' || !job.result) return undefined;
  const byUpload = new Map(
    assets.filter((a) => a.uploadId).map((a) => [a.uploadId as string, a.id]),
  );
  const r = job.request;
  const canvas = { width: r.width, height: r.height };
  const instances: Instance[] = r.instances.map((inst, k) => ({
    id: `${job.id}_${k}`,
    assetId: (inst.reference && byUpload.get(inst.reference)) ?? null,
    box: fitBox(boxFromArray(inst.box), canvas),
    phrase: inst.phrase ?? '',
    aspectLocked: true,
    z: inst.z ?? k + 1,
    resize: inst.resize ?? 'instance-fit',
  }));
  return {
    id: `res_${job.id}`,
    jobId: job.id,
    createdAt: job.finishedAt ?? job.createdAt,
    seed: job.result.seed,
    model: job.model,
    untrained: job.result.untrained,
    warnings: [...job.result.warnings],
    resultSrc: job.result.resultUrl,
    layoutSrc: job.result.layoutUrl,
    settings: {
      prompt: r.prompt,
      width: r.width,
      height: r.height,
      steps: r.steps ?? DEFAULT_SETTINGS.steps,
      guidance: r.guidance ?? DEFAULT_SETTINGS.guidance,
      seed: r.seed ?? null,
    },
    instances,
  };
}
