/**
 * The server API as the editor uses it. Errors carry the server's message (which names the
 * field and the fix) so the UI can show the real cause.
 */
import type { GenerationRequest } from '@contextgen/core';

const TOKEN_KEY = 'contextgen.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function getToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** A server URL usable in <img src>: carries the token as a query parameter when one is set. */
export function withToken(url: string): string {
  const token = getToken();
  if (!token || !url.startsWith('/api/')) return url;
  return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    throw new ApiError(
      0,
      'network',
      `cannot reach the server (${(err as Error).message}); is \`contextgen serve\` running?`,
    );
  }
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (body as { error?: { code: string; message: string; field?: string } } | undefined)
      ?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'http_' + res.status,
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.field,
    );
  }
  return body as T;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export interface Health {
  ok: boolean;
  queue: 'local' | 'redis';
  auth: boolean;
  limits: Record<string, number>;
}

export interface ModelInfo {
  name: string;
  description: string;
  trained: boolean;
  untrained: boolean;
  warning?: string;
  tokenSize: number;
  /** The manifest's limits (maxInstances capped by the server's own limit). */
  limits: {
    maxInstances: number;
    minSide: number;
    maxSide: number;
    maxTokens: number;
    refArea: number;
    refMaxSide: number;
    maxTextTokens: number;
    maxPhraseTokens: number;
  };
  defaults: { steps: number; guidance: number };
  queued: number;
  running: number;
}

export interface UploadInfo {
  id: string;
  name: string;
  width: number;
  height: number;
  maskSource: 'alpha' | 'auto' | 'none';
  maskCoverage: number;
  /** Things to check about this upload (e.g. a cutout that may have removed part of the subject). */
  warnings: string[];
  /** Set by servers whose cutout check found the automatic mask doubtful. */
  suspicious?: boolean;
  urls: { original: string; cutout: string; mask: string };
}

export interface JobResult {
  seed: number;
  width: number;
  height: number;
  untrained: boolean;
  warnings: string[];
  timings: { modelMs: number; totalMs: number };
  resultUrl: string;
  layoutUrl: string;
}

export interface JobRecord {
  id: string;
  model: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  createdAt: string;
  finishedAt?: string;
  request: GenerationRequest;
  position?: number;
  progress?: { step: number; total: number };
  result?: JobResult;
  error?: { message: string; field?: string };
  eventsUrl: string;
}

export const getHealth = () => call<Health>('/api/health');
export const getModels = () => call<{ models: ModelInfo[]; default: string }>('/api/models');

export function uploadImage(file: Blob, name: string): Promise<UploadInfo> {
  const form = new FormData();
  form.append('file', file, name);
  return call<UploadInfo>('/api/uploads', { method: 'POST', body: form });
}

export const redoCutout = (id: string, mode: 'auto' | 'alpha' | 'none', threshold?: number) =>
  call<UploadInfo>(
    `/api/uploads/${id}/cutout`,
    json(threshold === undefined ? { mode } : { mode, threshold }),
  );

export const createJob = (request: GenerationRequest) =>
  call<JobRecord>('/api/jobs', json(request));
export const getJob = (id: string) => call<JobRecord>(`/api/jobs/${id}`);
/** The server's recent jobs, newest first. */
export const listJobs = (limit = 20) => call<{ jobs: JobRecord[] }>(`/api/jobs?limit=${limit}`);
export const cancelJob = (id: string) =>
  call<JobRecord>(`/api/jobs/${id}/cancel`, { method: 'POST' });

export type JobStreamEvent =
  | { event: 'status' | 'done'; data: JobRecord }
  | { event: 'queued'; data: { position: number } }
  | { event: 'started'; data: { worker: string } }
  | { event: 'progress'; data: { step: number; total: number; preview?: string } };

/** The job's server-sent events, read with fetch so the bearer token can be sent. */
export async function* jobEvents(id: string, signal: AbortSignal): AsyncGenerator<JobStreamEvent> {
  const token = getToken();
  const res = await fetch(`/api/jobs/${id}/events`, {
    signal,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok || !res.body)
    throw new ApiError(res.status, 'events', `the progress stream failed (${res.status})`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const lines = block.split('\n');
      const ev = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      if (ev && data) yield { event: ev, data: JSON.parse(data) } as JobStreamEvent;
    }
  }
}

/** Fetches an image URL as a data URL (for self-contained project files). */
export async function toDataUrl(src: string): Promise<string> {
  const res = await fetch(withToken(src));
  if (!res.ok) throw new ApiError(res.status, 'fetch', `cannot read ${src} (${res.status})`);
  const blob = await res.blob();
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}
