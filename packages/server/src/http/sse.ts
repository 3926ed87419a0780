/**
 * The job event stream (text/event-stream). The first event is the job as it stands; then
 * `queued` (position), `started`, `progress` (step, total, preview) and finally `done` with
 * the finished job, after which the stream ends.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FINAL_STATUSES, type JobEvent, type JobQueue } from '../jobs/types.ts';

const HEARTBEAT_MS = 15_000;

const open = new WeakMap<object, Set<() => void>>();

/**
 * Ends every open event stream when the server closes (otherwise they hold it open). A client
 * sees the stream end and reconnects (EventSource does so by itself) to the restarted server.
 */
export function endStreamsOnClose(app: FastifyInstance): void {
  const set = new Set<() => void>();
  open.set(app, set);
  app.addHook('preClose', async () => {
    for (const end of [...set]) end();
  });
}

export function formatEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function streamJobEvents(
  req: FastifyRequest,
  reply: FastifyReply,
  queue: JobQueue,
  id: string,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const pending: JobEvent[] = [];
  let ready = false;
  const streams = open.get(req.server);
  const finish = () => {
    if (closed) return;
    closed = true;
    streams?.delete(finish);
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };
  streams?.add(finish);
  const send = (e: JobEvent) => {
    if (closed) return;
    if (e.type === 'done') {
      res.write(formatEvent('done', { ...e.job, eventsUrl: `/api/jobs/${id}/events` }));
      finish();
      return;
    }
    const { type, ...data } = e;
    res.write(formatEvent(type, data));
  };
  // Subscribe before reading the snapshot so no event falls between the two.
  const unsubscribe = queue.subscribe(id, (e) => (ready ? send(e) : pending.push(e)));
  const heartbeat = setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  req.raw.on('close', finish);
  void queue.get(id).then(
    (job) => {
      if (closed || !job) return finish();
      res.write(formatEvent('status', { ...job, eventsUrl: `/api/jobs/${id}/events` }));
      if (FINAL_STATUSES.includes(job.status)) {
        res.write(formatEvent('done', { ...job, eventsUrl: `/api/jobs/${id}/events` }));
        return finish();
      }
      ready = true;
      for (const e of pending.splice(0)) send(e);
    },
    () => finish(),
  );
}
