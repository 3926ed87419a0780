/**
 * Who may call what. Every check runs after routing has decided which route answers (so the
 * percent-decoded path, an absolute-form request target or any other spelling of a path is
 * judged by the route it reached, never by the raw URL text):
 *
 *  - token: every route needs `Authorization: Bearer <token>` (or `?token=` on GET image URLs)
 *    unless its config says `public: true`. Public routes are named explicitly: health, the
 *    OpenAPI description, the editor's static files. Unmatched paths answer 404 either way.
 *  - Host: the Host header must name this server (DNS rebinding defence): a loopback name when
 *    bound to loopback, the bound address, or one of `allowedHosts`.
 *  - Origin: a state-changing request (POST, PUT, PATCH, DELETE) from a browser page must come
 *    from the same origin or one of `allowedOrigins`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServeOptions } from '../options.ts';
import { HttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answerable without the token. */
    public?: boolean;
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The host part of a Host header (`name`, `name:port`, `[v6]:port`), lower case. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** `?token=...` values replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(header);
    return m ? m[1]!.trim() : '';
  }
  // The query token is for <img src> URLs only (GET); never for state-changing requests.
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AccessPolicy {
  readonly token?: string;
  /** Host header names accepted (lower case, no port); '*' accepts any. */
  readonly hosts: ReadonlySet<string>;
  /** Origins accepted for state-changing requests besides the same origin; '*' accepts any. */
  readonly origins: ReadonlySet<string>;
}

/** The policy a server's options imply. */
export function accessPolicy(options: ServeOptions): AccessPolicy {
  const hosts = new Set<string>(options.allowedHosts?.map((h) => h.toLowerCase()) ?? []);
  if (isLoopback(options.host)) for (const n of LOOPBACK_NAMES) hosts.add(n);
  else if (options.host === '0.0.0.0' || options.host === '::') hosts.add('*');
  else hosts.add(options.host.includes(':') ? `[${options.host}]` : options.host.toLowerCase());
  return {
    ...(options.token ? { token: options.token } : {}),
    hosts,
    origins: new Set(options.allowedOrigins ?? []),
  };
}

/** Checks one request against the policy; throws the HttpError to answer. */
export function checkAccess(req: FastifyRequest, policy: AccessPolicy): void {
  const host = req.headers.host;
  if (!policy.hosts.has('*')) {
    if (!host || !policy.hosts.has(hostName(host))) {
      throw new HttpError(
        421,
        'wrong_host',
        `this server does not answer for Host "${host ?? ''}"; use ${[...policy.hosts][0]} or start it with --allowed-host NAME`,
      );
    }
  }
  const isPublic = req.routeOptions.config?.public === true || req.routeOptions.url === undefined;
  if (STATE_CHANGING.has(req.method)) {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    const same = origin !== undefined && host !== undefined && sameOrigin(origin, host);
    const allowed = origin !== undefined && (policy.origins.has('*') || policy.origins.has(origin));
    if (origin !== undefined ? !same && !allowed : site === 'cross-site') {
      throw new HttpError(
        403,
        'cross_origin',
        `requests from ${origin ?? 'another site'} may not change anything here; open the editor from this server, or start it with --allowed-origin ${origin ?? 'ORIGIN'}`,
      );
    }
  }
  if (isPublic || policy.token === undefined) return;
  const given = tokenOf(req);
  if (given === undefined || !sameToken(given, policy.token)) {
    throw new HttpError(
      401,
      'unauthorized',
      given
        ? 'the bearer token is wrong; use the CONTEXTGEN_TOKEN the server was started with'
        : 'this server needs a token: send "Authorization: Bearer <CONTEXTGEN_TOKEN>"',
    );
  }
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const o = new URL(origin);
    return (o.protocol === 'http:' || o.protocol === 'https:') && o.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Installs the checks (after routing: onRequest hooks run once the route is known). */
export function useAccessPolicy(app: FastifyInstance, options: ServeOptions): void {
  const policy = accessPolicy(options);
  app.addHook('onRequest', async (req) => checkAccess(req, policy));
}
