/** Uploading references, reading them back, and redoing their cutout. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { newId } from '../ids.ts';
import type { UploadMeta } from '../storage.ts';
import { createCutouts } from '../cutouts.ts';
import { checkUpload } from '../uploads.ts';
import {
  CutoutMethodsSchema,
  CutoutRequestSchema,
  ErrorSchema,
  UploadFileParamsSchema,
  UploadInfoSchema,
  UploadParamsSchema,
  UploadQuerySchema,
} from './api-schemas.ts';
import type { AppContext } from './context.ts';
import { HttpError } from './errors.ts';
import { json } from './zod-fastify.ts';

type UploadInfo = z.infer<typeof UploadInfoSchema>;

const CONTENT_TYPE: Record<UploadMeta['format'], string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

function info(meta: UploadMeta): UploadInfo {
  const base = `/api/uploads/${meta.id}`;
  const { id, name, width, height, cutoutWidth, cutoutHeight, maskSource, maskCoverage } = meta;
  return {
    id,
    name,
    width,
    height,
    cutoutWidth,
    cutoutHeight,
    maskSource,
    ...(meta.cutoutMethod ? { cutoutMethod: meta.cutoutMethod } : {}),
    maskCoverage,
    warnings: [...(meta.warnings ?? [])],
    urls: { original: `${base}/original`, cutout: `${base}/cutout.png`, mask: `${base}/mask.png` },
  };
}

/** A display name from the client's file name: no control characters, at most 120 characters. */
export function displayName(filename: string | undefined): string {
  const clean = (filename ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean.split(/[\\/]/).pop() ?? '').slice(0, 120) || 'image';
}

/** A multipart body the parser could not read (cut short, bad boundary) is the client's error. */
function malformed(err: unknown): unknown {
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (err instanceof HttpError || (e.code && e.code.startsWith('FST_'))) return err;
  return new HttpError(
    400,
    'bad_multipart',
    `the multipart body could not be read (${e.message ?? String(err)}); send the image as multipart/form-data with one field named "file"`,
    'file',
  );
}

export function registerUploadRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { storage, options } = ctx;
  const limits = options.limits;
  const cutouts = createCutouts(options.cutout);
  app.addHook('onClose', () => cutouts.close());

  app.get(
    '/api/cutout-methods',
    {
      schema: {
        summary:
          'Automatic-cutout methods: the heuristic and the matting backends (installed or not, with licence and install command)',
        response: { 200: json(CutoutMethodsSchema, 'output') },
      },
    },
    async () => cutouts.list(),
  );

  app.post(
    '/api/uploads',
    {
      schema: {
        summary:
          'Upload a reference image (multipart field "file"); it is cut out automatically (?method= picks the cutout method)',
        consumes: ['multipart/form-data'],
        querystring: json(UploadQuerySchema),
        response: {
          201: json(UploadInfoSchema, 'output'),
          400: json(ErrorSchema, 'output'),
          413: json(ErrorSchema, 'output'),
          415: json(ErrorSchema, 'output'),
        },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) {
        throw new HttpError(
          415,
          'unsupported_media_type',
          'send the image as multipart/form-data with the file in a field named "file"',
        );
      }
      const part = await req.file().catch((err: unknown) => {
        throw malformed(err);
      });
      if (!part)
        throw new HttpError(
          400,
          'missing_file',
          'no file in the form; put the image in a field named "file"',
          'file',
        );
      if (part.fieldname !== 'file')
        throw new HttpError(
          400,
          'missing_file',
          `the image came in field "${part.fieldname}"; name the field "file"`,
          'file',
        );
      const name = displayName(part.filename);
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new HttpError(
            413,
            'upload_too_large',
            `"${name}" is over the ${(limits.maxUploadBytes / 1048576).toFixed(1)} MiB upload limit; downscale or compress it`,
            'file',
          );
        }
        throw malformed(err);
      }
      const format = await checkUpload(bytes, name, part.mimetype, limits);
      const { method } = req.query as z.infer<typeof UploadQuerySchema>;
      const processed = await ctx.processImage({
        bytes,
        name,
        format,
        limits,
        ...(method ? { cutout: { mode: 'auto' as const, method } } : {}),
        cutoutDefault: cutouts.choice,
      });
      const meta: UploadMeta = {
        id: newId('upl'),
        name,
        format,
        width: processed.width,
        height: processed.height,
        cutoutWidth: processed.cutoutWidth,
        cutoutHeight: processed.cutoutHeight,
        maskSource: processed.maskSource,
        ...(processed.cutoutMethod ? { cutoutMethod: processed.cutoutMethod } : {}),
        maskCoverage: processed.maskCoverage,
        ...(processed.warnings.length ? { warnings: processed.warnings } : {}),
        ...(processed.maskBox ? { maskBox: processed.maskBox } : {}),
        createdAt: new Date().toISOString(),
      };
      await storage.saveUpload(meta, {
        original: bytes,
        cutout: processed.cutoutPng,
        mask: processed.maskPng,
      });
      return reply.code(201).send(info(meta));
    },
  );

  app.get(
    '/api/uploads/:id',
    {
      schema: {
        summary: 'Upload details',
        params: json(UploadParamsSchema),
        response: { 200: json(UploadInfoSchema, 'output') },
      },
    },
    async (req) => {
      const { id } = req.params as z.infer<typeof UploadParamsSchema>;
      const meta = await storage.readUploadMeta(id);
      if (!meta)
        throw new HttpError(
          404,
          'not_found',
          `no upload ${id} on this server; upload the image again`,
        );
      return info(meta);
    },
  );

  app.get(
    '/api/uploads/:id/:file',
    {
      schema: {
        summary: 'The original image, its cutout (RGBA) or its mask',
        params: json(UploadFileParamsSchema),
      },
    },
    async (req, reply) => {
      const { id, file } = req.params as z.infer<typeof UploadFileParamsSchema>;
      const meta = await storage.readUploadMeta(id);
      const bytes = meta && (await storage.readUploadFile(id, file));
      if (!meta || !bytes)
        throw new HttpError(
          404,
          'not_found',
          `no upload ${id} on this server; upload the image again`,
        );
      return (
        reply
          .type(file === 'original' ? CONTENT_TYPE[meta.format] : 'image/png')
          // The original never changes; the cutout and mask change when the cutout is redone.
          .header(
            'cache-control',
            file === 'original' ? 'private, max-age=31536000, immutable' : 'no-cache',
          )
          .header('x-content-type-options', 'nosniff')
          .send(bytes)
      );
    },
  );

  app.post(
    '/api/uploads/:id/cutout',
    {
      schema: {
        summary:
          'Redo the cutout: automatic (a method, or the heuristic with a threshold), from the alpha channel, or none',
        params: json(UploadParamsSchema),
        body: json(CutoutRequestSchema),
        response: { 200: json(UploadInfoSchema, 'output') },
      },
    },
    async (req) => {
      const { id } = req.params as z.infer<typeof UploadParamsSchema>;
      const body = req.body as z.infer<typeof CutoutRequestSchema>;
      const meta = await storage.readUploadMeta(id);
      const original = meta && (await storage.readUploadFile(id, 'original'));
      if (!meta || !original)
        throw new HttpError(
          404,
          'not_found',
          `no upload ${id} on this server; upload the image again`,
        );
      const processed = await ctx.processImage({
        bytes: original,
        name: meta.name,
        format: meta.format,
        limits,
        cutout: body,
        cutoutDefault: cutouts.choice,
      });
      const { cutoutMethod: _method, warnings: _warnings, maskBox: _old, ...rest } = meta;
      const next: UploadMeta = {
        ...rest,
        maskSource: processed.maskSource,
        ...(processed.cutoutMethod ? { cutoutMethod: processed.cutoutMethod } : {}),
        maskCoverage: processed.maskCoverage,
        ...(processed.warnings.length ? { warnings: processed.warnings } : {}),
        ...(processed.maskBox ? { maskBox: processed.maskBox } : {}),
      };
      await storage.replaceCutout(next, processed.cutoutPng, processed.maskPng);
      return info(next);
    },
  );
}
