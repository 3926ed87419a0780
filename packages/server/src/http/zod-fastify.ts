/**
 * Zod schemas as Fastify route schemas: the JSON schema (z.toJSONSchema) goes to the OpenAPI
 * description, and validation runs the zod schema itself so errors name the field in the
 * user's terms. Responses are plain JSON.stringify (response schemas are documentation).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from './errors.ts';

const zodOf = new WeakMap<object, z.ZodType>();

/** The JSON schema of `schema`, remembered so the validator can find the zod schema again. */
export function json(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  delete out.$schema;
  zodOf.set(out, schema);
  return out;
}

function path(p: readonly PropertyKey[]): string {
  return p.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)),
    '',
  );
}

export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const zodSchema = zodOf.get(schema as object);
    if (!zodSchema) throw new Error('route schema was not made with json()');
    return (data: unknown) => {
      const r = zodSchema.safeParse(data);
      if (r.success) return { value: r.data };
      const first = r.error.issues[0]!;
      const field = path(first.path);
      const where = httpPart === 'params' ? 'URL' : httpPart === 'querystring' ? 'query' : 'body';
      const more =
        r.error.issues.length > 1
          ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''})`
          : '';
      const msg = field ? `${field}: ${first.message}` : first.message;
      return {
        error: new HttpError(
          400,
          httpPart === 'params' ? 'invalid_id' : 'invalid_request',
          `invalid ${where}: ${msg}${more}`,
          field || undefined,
        ),
      };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
