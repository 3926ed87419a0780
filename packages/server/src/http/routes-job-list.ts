/**
 * `GET /api/jobs`: the recent jobs, newest first, so the editor finds its results again after
 * a reload (and jobs another tab started). Bounded (`limit`, at most 100) and small: each
 * record is the job's status and result links with its request trimmed (long texts cut,
 * references as upload ids); no image bytes.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GenerationRequest } from '@contextgen/core';
import { isId } from '../ids.ts';
import type { JobRecord } from '../jobs/types.ts';
import { JobRecordSchema } from './api-schemas.ts';
import type { AppContext } from './context.ts';
import { withLinks } from './routes-jobs.ts';
import { json } from './zod-fastify.ts';

export const JOB_LIST_MAX = 100;
const TEXT_MAX = 500;
const INSTANCES_MAX = 32;

const JobListQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, `must be 1..${JOB_LIST_MAX}`)
    .max(JOB_LIST_MAX, `must be 1..${JOB_LIST_MAX}`)
    .default(20),
});
const JobListSchema = z.object({ jobs: z.array(JobRecordSchema) });

const cut = (s: string | undefined): string | undefined =>
  s === undefined || s.length <= TEXT_MAX ? s : s.slice(0, TEXT_MAX) + '…';

/** The request without anything long: texts cut, at most INSTANCES_MAX instances. */
function trimRequest(r: GenerationRequest): GenerationRequest {
  return {
    ...r,
    prompt: cut(r.prompt) ?? '',
    ...(r.negativePrompt !== undefined ? { negativePrompt: cut(r.negativePrompt) } : {}),
    instances: r.instances.slice(0, INSTANCES_MAX).map((i) => ({
      ...i,
      ...(i.phrase !== undefined ? { phrase: cut(i.phrase) } : {}),
      ...(i.label !== undefined ? { label: cut(i.label) } : {}),
    })),
  };
}

/** Job ids in the storage folder, most recently written first. */
async function recentJobIds(root: string, want: number): Promise<string[]> {
  const dir = join(root, 'jobs');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const dated = await Promise.all(
    names
      .filter((n) => isId('job', n))
      .map(async (id) => {
        try {
          return { id, t: (await stat(join(dir, id, 'job.json'))).mtimeMs };
        } catch {
          return undefined; // being created or removed right now
        }
      }),
  );
  return dated
    .filter((d) => d !== undefined)
    .sort((a, b) => b.t - a.t)
    .slice(0, want)
    .map((d) => d.id);
}

export function registerJobListRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/jobs',
    {
      schema: {
        summary: `Recent jobs, newest first (at most ${JOB_LIST_MAX}); requests trimmed, no image bytes`,
        querystring: json(JobListQuerySchema),
        response: { 200: json(JobListSchema, 'output') },
      },
    },
    async (req) => {
      const { limit } = req.query as z.infer<typeof JobListQuerySchema>;
      // a job written last is not always the newest created: read a margin, sort by creation
      const ids = await recentJobIds(ctx.storage.root, limit * 2);
      const records = (await Promise.all(ids.map((id) => ctx.queue.get(id)))).filter(
        (r): r is JobRecord => r !== undefined,
      );
      records.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return {
        jobs: records
          .slice(0, limit)
          .map((r) => withLinks({ ...r, request: trimRequest(r.request) })),
      };
    },
  );
}
