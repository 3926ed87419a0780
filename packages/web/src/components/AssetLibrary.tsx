/** The reference images: multi-file upload (button or drop), automatic cutout, mask view, redo. */
import { useRef, useState } from 'react';
import type { Asset } from '@contextgen/editor';
import { redoCutout, uploadImage, withToken } from '../api.ts';
import { dataUrlToBlob } from '../images.ts';
import { uploadWarnings } from '../uploads.ts';
import { editor } from '../store.ts';

const ACCEPT = 'image/png,image/jpeg,image/webp';

export function AssetLibrary({
  assets,
  onError,
  onFiles,
  pending,
}: {
  assets: readonly Asset[];
  onError: (m: string) => void;
  onFiles: (files: FileList | File[]) => Promise<void>;
  pending: number;
}) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  return (
    <section
      className={'library' + (over ? ' drop-over' : '')}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        if (e.dataTransfer.files.length > 0) {
          e.preventDefault();
          void onFiles(e.dataTransfer.files);
        }
      }}
    >
      <header className="panel-head">
        <h2>References</h2>
        <button className="primary" data-testid="upload" onClick={() => input.current?.click()}>
          Upload…
        </button>
        <input
          ref={input}
          data-testid="upload-input"
          type="file"
          accept={ACCEPT}
          multiple
          hidden
          tabIndex={-1}
          onChange={(e) => {
            if (e.target.files) void onFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </header>
      {pending > 0 && (
        <p className="hint">
          Uploading and cutting out {pending} image{pending > 1 ? 's' : ''}…
        </p>
      )}
      {assets.length === 0 && pending === 0 && (
        <p className="hint">
          Drop PNG, JPEG or WebP images here. Each is cut out automatically; place it on the canvas,
          then write what it is.
        </p>
      )}
      <ul className="asset-list">
        {assets.map((a) => (
          <AssetCard key={a.id} asset={a} onError={onError} />
        ))}
      </ul>
    </section>
  );
}

function AssetCard({ asset, onError }: { asset: Asset; onError: (m: string) => void }) {
  const [showMask, setShowMask] = useState(false);
  const [editing, setEditing] = useState(false);
  const [threshold, setThreshold] = useState(20);
  const [busy, setBusy] = useState(false);
  const src = showMask ? asset.maskSrc : (asset.cutoutSrc ?? asset.src);
  const shown = src && withToken(src);

  /** The server's id for this image; one opened from a project or imported is uploaded first. */
  async function uploaded(): Promise<string> {
    if (asset.uploadId) return asset.uploadId;
    const info = await uploadImage(await dataUrlToBlob(asset.src), asset.name);
    editor.dispatch('setAssetUpload', { id: asset.id, uploadId: info.id });
    return info.id;
  }

  async function redo(mode: 'auto' | 'alpha' | 'none') {
    setBusy(true);
    try {
      const id = await uploaded();
      const info = await redoCutout(id, mode, mode === 'auto' ? threshold : undefined);
      // A new URL per cutout, so every view of it (library, canvas, layout) reloads.
      const v = `?v=${Date.now()}`;
      editor.dispatch('setAssetCutout', {
        id: asset.id,
        cutoutSrc: info.urls.cutout + v,
        maskSrc: info.urls.mask + v,
        maskSource: info.maskSource,
        warnings: uploadWarnings(info),
      });
      for (const w of uploadWarnings(info)) onError(`${asset.name}: ${w}`);
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="asset" data-testid="asset">
      <div
        className="thumb checker"
        draggable
        onDragStart={(e) => {
          e.dataTransfer.setData('application/x-contextgen-asset', asset.id);
          e.dataTransfer.effectAllowed = 'copy';
        }}
        title="Drag onto the canvas"
      >
        {shown && <img src={shown} alt={asset.name} />}
      </div>
      <div className="asset-body">
        <div className="asset-name" title={asset.name}>
          {asset.name}
        </div>
        <div className="asset-meta">
          {asset.width}×{asset.height} · mask:{' '}
          {asset.maskSource === 'alpha'
            ? 'alpha'
            : asset.maskSource === 'auto'
              ? 'auto cutout'
              : 'whole image'}
        </div>
        {(asset.warnings ?? []).map((w) => (
          <p key={w} className="asset-warning" data-testid="asset-warning" role="note">
            ⚠ {w}
          </p>
        ))}
        <div className="row">
          <button
            className="primary"
            onClick={() => editor.dispatch('addInstance', { assetId: asset.id })}
          >
            Place
          </button>
          <button aria-pressed={showMask} onClick={() => setShowMask((v) => !v)}>
            {showMask ? 'Cutout' : 'Mask'}
          </button>
          <button onClick={() => setEditing((v) => !v)}>Redo cutout</button>
          <button
            className="ghost"
            title="Remove this image and its boxes"
            onClick={() => editor.dispatch('removeAsset', { id: asset.id })}
          >
            ✕
          </button>
        </div>
        {editing && (
          <div className="redo">
            <label>
              Threshold {threshold}
              <input
                type="range"
                min={2}
                max={80}
                value={threshold}
                onChange={(e) => setThreshold(Number(e.target.value))}
              />
            </label>
            <div className="row">
              <button disabled={busy} onClick={() => void redo('auto')}>
                Auto
              </button>
              <button disabled={busy} onClick={() => void redo('alpha')}>
                Alpha
              </button>
              <button disabled={busy} onClick={() => void redo('none')}>
                Whole image
              </button>
            </div>
          </div>
        )}
      </div>
    </li>
  );
}
