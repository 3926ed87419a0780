/**
 * Running a generation from the editor: upload what the server lacks, create the job, follow
 * its event stream (queue position, steps, previews), keep the result in history.
 */
import { useCallback, useRef, useState } from 'react';
import {
  missingUploads,
  newEditorId,
  toGenerationRequest,
  type HistoryEntry,
} from '@contextgen/editor';
import {
  ApiError,
  cancelJob,
  createJob,
  getJob,
  jobEvents,
  uploadImage,
  type JobRecord,
} from './api.ts';
import { dataUrlToBlob } from './images.ts';
import { editor } from './store.ts';

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
}

const IDLE: GenerationState = { phase: 'idle', step: 0, total: 0 };

function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
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
      },
    });
  }
}

export function useGeneration(model: string | undefined) {
  const [state, setState] = useState<GenerationState>(IDLE);
  const busy = useRef(false);

  const finish = useCallback(
    (job: JobRecord, snapshot: Pick<HistoryEntry, 'settings' | 'instances'>) => {
      if (job.status === 'succeeded' && job.result) {
        const entry: HistoryEntry = {
          id: newEditorId('res'),
          jobId: job.id,
          createdAt: new Date().toISOString(),
          seed: job.result.seed,
          model: job.model,
          untrained: job.result.untrained,
          warnings: job.result.warnings,
          resultSrc: job.result.resultUrl,
          layoutSrc: job.result.layoutUrl,
          ...snapshot,
        };
        editor.dispatch('addResult', entry);
        setState((s) => ({ ...s, phase: 'done', resultId: entry.id, step: s.total }));
      } else if (job.status === 'cancelled') {
        setState((s) => ({ ...s, phase: 'cancelled' }));
      } else {
        const field = job.error?.field ? ` (${job.error.field})` : '';
        setState((s) => ({
          ...s,
          phase: 'failed',
          error: (job.error?.message ?? 'the job failed') + field,
        }));
      }
    },
    [],
  );

  const generate = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      setState({ ...IDLE, phase: 'uploading' });
      await uploadMissing();
      const snapshot = { settings: editor.state.settings, instances: editor.state.instances };
      const job = await createJob(toGenerationRequest(editor.state, model));
      setState({
        phase: job.status === 'running' ? 'running' : 'queued',
        jobId: job.id,
        step: 0,
        total: snapshot.settings.steps,
        position: job.position,
      });
      const controller = new AbortController();
      let final: JobRecord | undefined;
      try {
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
      while (!final || !['succeeded', 'failed', 'cancelled'].includes(final.status)) {
        await new Promise((r) => setTimeout(r, 500));
        final = await getJob(job.id);
      }
      finish(final, snapshot);
    } catch (err) {
      setState((s) => ({ ...s, phase: 'failed', error: describeError(err) }));
    } finally {
      busy.current = false;
    }
  }, [model, finish]);

  const cancel = useCallback(async () => {
    if (!state.jobId) return;
    try {
      await cancelJob(state.jobId);
    } catch (err) {
      setState((s) => ({ ...s, error: describeError(err) }));
    }
  }, [state.jobId]);

  const dismiss = useCallback(() => setState((s) => ({ ...s, error: undefined })), []);

  return { state, generate, cancel, dismiss };
}
