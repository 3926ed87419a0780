/**
 * Importing segment_info.json: the official file is a list of examples, so the user picks
 * one; the boxes are scaled from the example's frame to the current canvas; images with
 * alpha keep alpha >= 0.5 as the subject (the official rule); and when the editor already
 * holds references or boxes it says what will be replaced. The import is one undo step.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  binarizeAlpha,
  describeSegmentInfoEntry,
  importSegmentInfoToEditor,
  segmentInfoEntries,
  type EditorState,
  type ProvidedImage,
} from '@contextgen/editor';
import { imageSize, readFileAsDataUrl } from '../images.ts';
import { editor } from '../store.ts';

export interface ImportRequest {
  readonly name: string;
  readonly json: unknown;
  readonly images: readonly File[];
}

/** The image as a data URL, its alpha cut at 0.5 when it has any. */
async function providedImage(file: File): Promise<ProvidedImage> {
  const src = await readFileAsDataUrl(file);
  const size = await imageSize(src);
  const img = new Image();
  img.src = src;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = size.width;
  c.height = size.height;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, c.width, c.height);
  let translucent = false;
  for (let i = 3; i < data.data.length && !translucent; i += 4) translucent = data.data[i]! < 255;
  if (!translucent) return { src, ...size };
  binarizeAlpha(data.data);
  ctx.putImageData(data, 0, 0);
  return { src: c.toDataURL('image/png'), ...size };
}

export function ImportDialog({
  request,
  state,
  onDone,
}: {
  request: ImportRequest;
  state: EditorState;
  onDone: (message?: string) => void;
}) {
  const parsed = useMemo(() => {
    try {
      return { entries: segmentInfoEntries(request.json) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }, [request.json]);
  const [entry, setEntry] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(parsed.error);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.querySelector<HTMLElement>('select, button')?.focus(), []);
  const replaces = state.assets.length > 0 || state.instances.length > 0;
  const entries = parsed.entries ?? [];

  async function run() {
    setBusy(true);
    try {
      const images = new Map<string, ProvidedImage>();
      for (const f of request.images) images.set(f.name, await providedImage(f));
      const { document, missing, frame } = importSegmentInfoToEditor(
        request.json,
        images,
        editor.state.settings,
        entry,
      );
      editor.dispatch('replaceDocument', document);
      const { width, height } = document.settings;
      const scaled =
        frame.width !== width || frame.height !== height
          ? ` Boxes scaled from ${frame.width}×${frame.height} to ${width}×${height}.`
          : '';
      const gone = missing.length
        ? ` Not provided, so those boxes have no reference: ${missing.join(', ')}.`
        : '';
      onDone(`Imported example ${entry + 1} of ${request.name}.${scaled}${gone}`);
    } catch (err) {
      setError(`${request.name}: ${(err as Error).message}`);
      setBusy(false);
    }
  }

  return (
    <div className="modal-backdrop">
      <div
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Import segment_info"
        data-testid="import-dialog"
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      >
        <h2>Import {request.name}</h2>
        {entries.length > 1 && (
          <label className="field wide">
            The file holds {entries.length} examples; import
            <select
              data-testid="import-entry"
              value={entry}
              onChange={(e) => setEntry(Number(e.target.value))}
            >
              {entries.map((x, k) => (
                <option key={k} value={k}>
                  {describeSegmentInfoEntry(x, k)}
                </option>
              ))}
            </select>
          </label>
        )}
        {entries.length === 1 && <p>{describeSegmentInfoEntry(entries[0], 0)}</p>}
        <p className="hint">
          Boxes are scaled to the current canvas ({state.settings.width}×{state.settings.height});
          in images with transparency, alpha below 0.5 is background.
        </p>
        {replaces && (
          <p className="warning" data-testid="import-replaces">
            This replaces the {state.assets.length} reference
            {state.assets.length === 1 ? '' : 's'} and {state.instances.length} box
            {state.instances.length === 1 ? '' : 'es'} in the editor. Undo brings them back.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button
            className="primary"
            data-testid="import-confirm"
            disabled={busy || entries.length === 0}
            onClick={() => void run()}
          >
            {replaces ? 'Replace and import' : 'Import'}
          </button>
          <button onClick={() => onDone()} disabled={busy}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
