/** A finished job's history entry for the editor's tests: only the ids and the time vary. */
import { DEFAULT_SETTINGS } from './state.ts';
import type { HistoryEntry } from './types.ts';

export const historyEntry = (id: string, jobId: string, at: string): HistoryEntry => ({
  id,
  jobId,
  createdAt: at,
  seed: 1,
  model: 'm',
  untrained: false,
  warnings: [],
  resultSrc: '/r.png',
  settings: DEFAULT_SETTINGS,
  instances: [],
});
