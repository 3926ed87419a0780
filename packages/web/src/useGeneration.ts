/**
 * Running a generation from the editor: check the document can run (token budget, box
 * count), upload what the server lacks, create the job, follow its event stream (queue
 * position, steps, previews), keep the result in history. A job survives a reload: it is
 * remembered until it finishes, and `resume` reattaches to it (or files its result).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  generateBlocker,
  historyEntryFromJob,
  isFinished,
  missingUploads,
  nameBoxesIn,
  describeRequestField,
  toGenerationRequest,
  type HistoryEntry,
  type ModelBudgetLimits,
} from '@contextgen/editor';
import {
  ApiError,
  cancelJob,
  createJob,
  getJob,
  jobEvents,
  listJobs,
  uploadImage,
  type JobRecord,
} from './api.ts';
import { dataUrlToBlob } from './images.ts';
import { addPendingJob, pendingJobs, removePendingJob } from './pending-jobs.ts';
import { editor, tabId } from './store.ts';
import { uploadWarnings } from './uploads.ts';

export type Phase = 'idle' | 'uploading' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface GenerationState {
  readonly phase: Phase;
  readonly jobId?: string;
  readonly step: number;
  readonly total: number;
  readonly position?: number;
  readonly preview?: string;
  readonly error?: string;
  /** The history entry this run produced. */
  readonly resultId?: string;
  /** True when this run was picked up again after a reload. */
  readonly reattached?: boolean;
}

const IDLE: GenerationState = { phase: 'idle', step: 0, total: 0 };

/** The error as the user reads it: the server's message, with every box named. */
function describeError(err: unknown): string {
  const message =
    err instanceof ApiError || err instanceof Error ? err.message : String(err ?? 'unknown error');
  const named = nameBoxesIn(editor.state, message);
  if (err instanceof ApiError && err.field && named === message && /^instances\[/.test(err.field))
    return `${describeRequestField(editor.state, err.field).text}: ${message}`;
  return named;
}

async function uploadMissing(): Promise<void> {
  for (const asset of missingUploads(editor.state)) {
    const src = asset.cutoutSrc ?? asset.src;
    const info = await uploadImage(
      await dataUrlToBlob(src),
      asset.name.replace(/\.[a-z0-9]+$/i, '') + '.png',
    );
    editor.dispatch('setAssetUpload', {
      id: asset.id,
      uploadId: info.id,
      serverCutout: {
        cutoutSrc: info.urls.cutout,
        maskSrc: info.urls.mask,
        maskSource: info.maskSource,
        warnings: uploadWarnings(info),
      },
    });
  }
}

/** The history entry of a succeeded job: the snapshot taken at submit, else its request. */
function entryOf(
  job: JobRecord,
  snapshot?: Pick<HistoryEntry, 'settings' | 'instances'>,
): HistoryEntry | undefined {
  const base = historyEntryFromJob(job, editor.state.assets);
  if (!base) return undefined;
  return snapshot ? { ...base, createdAt: new Date().toISOString(), ...snapshot } : base;
}

export function useGeneration(model: string | undefined, limits: ModelBudgetLimits | undefined) {
  const [state, setState] = useState<GenerationState>(IDLE);
  const busy = useRef(false);

  const finish = useCallback(
    (job: JobRecord, snapshot?: Pick<HistoryEntry, 'settings' | 'instances'>) => {
      removePendingJob(job.id);
      const entry = job.status === 'succeeded' ? entryOf(job, snapshot) : undefined;
      if (entry) {
        editor.dispatch('addResult', entry);
        setState((s) => ({ ...s, phase: 'done', resultId: entry.id, step: s.total }));
      } else if (job.status === 'cancelled') {
        setState((s) => ({ ...s, phase: 'cancelled' }));
      } else {
        const field = job.error?.field ? ` (${job.error.field})` : '';
        setState((s) => ({
          ...s,
          phase: 'failed',
          error: nameBoxesIn(editor.state, (job.error?.message ?? 'the job failed') + field),
        }));
      }
    },
    [],
  );

  /** Follows a job's events to its end, then files the outcome. */
  const follow = useCallback(
    async (job: JobRecord, snapshot?: Pick<HistoryEntry, 'settings' | 'instances'>) => {
      const controller = new AbortController();
      let final: JobRecord | undefined = isFinished(job) ? job : undefined;
      try {
        if (!final)
          for await (const e of jobEvents(job.id, controller.signal)) {
            if (e.event === 'queued')
              setState((s) => ({ ...s, phase: 'queued', position: e.data.position }));
            else if (e.event === 'started')
              setState((s) => ({ ...s, phase: 'running', position: undefined }));
            else if (e.event === 'progress')
              setState((s) => ({
                ...s,
                phase: 'running',
                step: e.data.step,
                total: e.data.total,
                preview: e.data.preview ?? s.preview,
              }));
            else if (e.event === 'status' && e.data.status === 'running')
              setState((s) => ({ ...s, phase: 'running' }));
            else if (e.event === 'done') final = e.data;
          }
      } catch {
        // the stream broke: read the outcome instead
      }
      while (!final || !isFinished(final)) {
        await new Promise((r) => setTimeout(r, 500));
        final = await getJob(job.id);
      }
      finish(final, snapshot);
    },
    [finish],
  );

  const generate = useCallback(async () => {
    if (busy.current) return;
    const blocked = generateBlocker(editor.state, limits);
    if (blocked) {
      setState({ ...IDLE, phase: 'failed', error: blocked });
      return;
    }
    busy.current = true;
    try {
      setState({ ...IDLE, phase: 'uploading' });
      await uploadMissing();
      const snapshot = { settings: editor.state.settings, instances: editor.state.instances };
      const job = await createJob(toGenerationRequest(editor.state, model));
      addPendingJob(job.id);
      setState({
        phase: job.status === 'running' ? 'running' : 'queued',
        jobId: job.id,
        step: 0,
        total: snapshot.settings.steps,
        position: job.position,
      });
      await follow(job, snapshot);
    } catch (err) {
      setState((s) => ({ ...s, phase: 'failed', error: describeError(err) }));
    } finally {
      busy.current = false;
    }
  }, [model, limits, follow]);

  /** Follows a job that is already on the server (after a reload, or another tab's). */
  const attach = useCallback(
    (job: JobRecord) => {
      if (busy.current) return;
      busy.current = true;
      setState({
        phase: job.status === 'running' ? 'running' : 'queued',
        jobId: job.id,
        step: job.progress?.step ?? 0,
        total: job.progress?.total ?? job.request.steps ?? 0,
        position: job.position,
        reattached: true,
      });
      void follow(job).finally(() => (busy.current = false));
    },
    [follow],
  );

  /**
   * After a (re)load: jobs this browser started are looked up on the server. Finished ones go
   * to History; a running one this tab started is followed again (progress, cancel); one
   * another tab started is waited for quietly. Returns notes for the user.
   */
  const resume = useCallback(async (): Promise<string[]> => {
    const pending = pendingJobs();
    if (pending.length === 0) return [];
    const notes: string[] = [];
    let jobs: JobRecord[];
    try {
      jobs = (await listJobs(100)).jobs;
    } catch (err) {
      return [`Cannot list the server's jobs: ${describeError(err)}`];
    }
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const p of pending) {
      const job = byId.get(p.jobId) ?? (await getJob(p.jobId).catch(() => undefined));
      if (!job) {
        removePendingJob(p.jobId);
        continue;
      }
      if (isFinished(job)) {
        finishQuietly(job, notes);
      } else if (p.tabId === tabId && !busy.current) {
        attach(job);
      } else {
        void waitFor(job.id);
      }
    }
    return notes;
  }, [attach]);

  const cancel = useCallback(async () => {
    if (!state.jobId) return;
    try {
      await cancelJob(state.jobId);
    } catch (err) {
      setState((s) => ({ ...s, error: describeError(err) }));
    }
  }, [state.jobId]);

  const dismiss = useCallback(() => setState((s) => ({ ...s, error: undefined })), []);

  // An edit after a run ends makes its "Done" stale: back to idle (the result stays shown).
  useEffect(() => {
    if (state.phase !== 'done' && state.phase !== 'cancelled') return;
    const start = editor.state;
    return editor.subscribe((s) => {
      if (s.instances !== start.instances || s.settings !== start.settings)
        setState((g) => (g.phase === 'done' || g.phase === 'cancelled' ? { ...IDLE } : g));
    });
  }, [state.phase]);

  return { state, generate, cancel, dismiss, resume, attach };
}

/** Files a finished job found after a reload (History, or a note when it failed). */
function finishQuietly(job: JobRecord, notes: string[]): void {
  removePendingJob(job.id);
  const entry = entryOf(job);
  if (entry) editor.dispatch('addResult', entry);
  else if (job.status === 'failed')
    notes.push(`A generation started before the reload failed: ${job.error?.message ?? '?'}`);
}

/** Waits for a job another tab is following, then files it here too. */
async function waitFor(id: string): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const job = await getJob(id).catch(() => undefined);
    if (!job) return;
    if (isFinished(job)) return finishQuietly(job, []);
  }
}
