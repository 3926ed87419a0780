/** Uploading reference images (button, drop on the library or on the canvas). */
import { useCallback, useState } from 'react';
import { newEditorId, type Asset } from '@contextgen/editor';
import { uploadImage, type UploadInfo } from './api.ts';
import { editor } from './store.ts';

const IMAGE = /^image\/(png|jpeg|webp)$/;

/** Said when the server flags a cutout as doubtful without saying why. */
export const SUSPICIOUS_CUTOUT =
  'the automatic cutout looks doubtful (part of the subject may be cut away); check it with “Mask” and redo it if needed';

/** The upload's warnings, with one for a cutout the server flagged as suspicious. */
export function uploadWarnings(info: UploadInfo): string[] {
  return info.suspicious && info.warnings.length === 0 ? [SUSPICIOUS_CUTOUT] : [...info.warnings];
}

export function assetFrom(info: UploadInfo): Asset {
  return {
    id: newEditorId('asset'),
    name: info.name,
    width: info.width,
    height: info.height,
    src: info.urls.original,
    cutoutSrc: info.urls.cutout,
    maskSrc: info.urls.mask,
    uploadId: info.id,
    maskSource: info.maskSource,
    warnings: uploadWarnings(info),
  };
}

export function useUploads(onError: (m: string) => void) {
  const [pending, setPending] = useState(0);
  const addFiles = useCallback(
    async (files: FileList | File[]) => {
      const all = [...files];
      const list = all.filter((f) => IMAGE.test(f.type));
      for (const f of all)
        if (!list.includes(f)) onError(`${f.name}: not a PNG, JPEG or WebP image; not uploaded`);
      setPending((n) => n + list.length);
      await Promise.all(
        list.map(async (file) => {
          try {
            const info = await uploadImage(file, file.name);
            editor.dispatch('addAsset', assetFrom(info));
            for (const w of uploadWarnings(info)) onError(`${file.name}: ${w}`);
          } catch (err) {
            onError(`${file.name}: ${(err as Error).message}`);
          } finally {
            setPending((n) => n - 1);
          }
        }),
      );
    },
    [onError],
  );
  return { pending, addFiles };
}
