/**
 * The server's recent jobs: running ones can be followed here (after a reload, or started in
 * another tab), finished ones not in History can be added to it.
 */
import { useCallback, useEffect, useState } from 'react';
import { historyEntryFromJob, type HistoryEntry } from '@contextgen/editor';
import { listJobs, type JobRecord } from '../api.ts';
import { editor } from '../store.ts';
import type { Phase } from '../useGeneration.ts';

export function JobsPanel({
  results,
  phase,
  onFollow,
}: {
  results: readonly HistoryEntry[];
  phase: Phase;
  onFollow: (job: JobRecord) => void;
}) {
  const [jobs, setJobs] = useState<JobRecord[]>([]);
  const [error, setError] = useState<string>();
  const refresh = useCallback(async () => {
    try {
      setJobs((await listJobs(10)).jobs);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => void refresh(), [refresh, phase]);
  const active = jobs.some((j) => j.status === 'queued' || j.status === 'running');
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void refresh(), 2000);
    return () => clearInterval(t);
  }, [active, refresh]);
  const kept = new Set(results.map((r) => r.jobId));
  const busy = phase === 'uploading' || phase === 'queued' || phase === 'running';
  return (
    <section className="jobs" data-testid="jobs">
      <header className="panel-head">
        <h2>Server jobs</h2>
        <button className="ghost" onClick={() => void refresh()} title="Ask the server again">
          ↻
        </button>
      </header>
      {error && <p className="hint">{error}</p>}
      {jobs.length === 0 && !error && <p className="hint">No jobs on this server yet.</p>}
      <ul>
        {jobs.map((j) => (
          <li key={j.id} data-testid="job" data-status={j.status}>
            <span className={`badge status-${j.status}`}>
              {j.status}
              {j.status === 'running' && j.progress
                ? ` ${j.progress.step}/${j.progress.total}`
                : ''}
            </span>
            <span className="job-prompt" title={j.request.prompt}>
              {new Date(j.createdAt).toLocaleTimeString()} · {j.request.prompt || '(no prompt)'}
            </span>
            {(j.status === 'running' || j.status === 'queued') && !busy && (
              <button onClick={() => onFollow(j)}>Follow</button>
            )}
            {j.status === 'succeeded' && !kept.has(j.id) && (
              <button
                data-testid="job-keep"
                onClick={() => {
                  const e = historyEntryFromJob(j, editor.state.assets);
                  if (e) editor.dispatch('addResult', e);
                }}
              >
                Add to history
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
