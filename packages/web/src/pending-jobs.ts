/**
 * Jobs this browser started and has not seen finish, in localStorage, so a reload (or another
 * tab) can reattach to a running job or bring a finished one into History. Each entry says
 * which tab started it: that tab follows it again after a reload, others only wait for it.
 */
import { tabId } from './store.ts';

const KEY = 'contextgen.jobs';
const MAX = 50;

export interface PendingJob {
  readonly jobId: string;
  readonly tabId: string;
  readonly at: string;
}

export function pendingJobs(): PendingJob[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(v)
      ? v.filter((j): j is PendingJob => typeof (j as PendingJob)?.jobId === 'string')
      : [];
  } catch {
    return [];
  }
}

function write(list: PendingJob[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(list.slice(-MAX)));
  } catch {
    // a full storage only loses the reattach hint; the server's job list still has the job
  }
}

export function addPendingJob(jobId: string): void {
  write([
    ...pendingJobs().filter((j) => j.jobId !== jobId),
    { jobId, tabId, at: new Date().toISOString() },
  ]);
}

export function removePendingJob(jobId: string): void {
  write(pendingJobs().filter((j) => j.jobId !== jobId));
}
