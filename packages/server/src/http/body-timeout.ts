/**
 * Stalled request bodies: a request that declares a body must deliver all of it within
 * `ms`; otherwise it is answered 408 and its connection closed, so slow or stalled clients
 * cannot hold connections (and upload buffers) open.
 */
import type { FastifyInstance } from 'fastify';

export function useBodyTimeout(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', async (req, reply) => {
    const h = req.headers;
    const hasBody = h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) > 0;
    if (!hasBody || req.raw.complete) return;
    const timer = setTimeout(() => {
      const res = reply.raw;
      if (!res.headersSent) {
        res.writeHead(408, {
          'content-type': 'application/json; charset=utf-8',
          connection: 'close',
        });
        res.end(
          JSON.stringify({
            error: {
              code: 'request_timeout',
              message: `the request body did not arrive within ${ms / 1000} s; send it in one go (check the connection, or upload a smaller file)`,
            },
          }),
        );
      }
      setImmediate(() => req.raw.socket?.destroy());
    }, ms);
    const clear = () => clearTimeout(timer);
    req.raw.once('end', clear);
    req.raw.once('close', clear);
    reply.raw.once('finish', clear);
  });
}
