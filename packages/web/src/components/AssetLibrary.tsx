/** The reference images: multi-file upload (button or drop), automatic cutout, mask view, redo. */
import { useState } from 'react';
import { newEditorId, type Asset } from '@contextgen/editor';
import { redoCutout, uploadImage, withToken, type UploadInfo } from '../api.ts';
import { dataUrlToBlob } from '../images.ts';
import { editor } from '../store.ts';

const ACCEPT = 'image/png,image/jpeg,image/webp';

function assetFrom(info: UploadInfo): Asset {
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
  };
}

export function AssetLibrary({
  assets,
  onError,
}: {
  assets: readonly Asset[];
  onError: (m: string) => void;
}) {
  const [pending, setPending] = useState(0);
  const [over, setOver] = useState(false);

  async function addFiles(files: FileList | File[]) {
    const list = [...files];
    setPending((n) => n + list.length);
    await Promise.all(
      list.map(async (file) => {
        try {
          const info = await uploadImage(file, file.name);
          editor.dispatch('addAsset', assetFrom(info));
          for (const w of info.warnings) onError(`${file.name}: ${w}`);
        } catch (err) {
          onError((err as Error).message);
        } finally {
          setPending((n) => n - 1);
        }
      }),
    );
  }

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
          void addFiles(e.dataTransfer.files);
        }
      }}
    >
      <header className="panel-head">
        <h2>References</h2>
        <label className="button primary">
          Upload…
          <input
            data-testid="upload-input"
            type="file"
            accept={ACCEPT}
            multiple
            hidden
            onChange={(e) => e.target.files && void addFiles(e.target.files)}
          />
        </label>
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
      });
      for (const w of info.warnings) onError(`${asset.name}: ${w}`);
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
