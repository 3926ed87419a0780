/** One result: the image (or its layout), the seed actually used, warnings, download. */
import { useState } from 'react';
import type { HistoryEntry } from '@contextgen/editor';
import { withToken } from '../api.ts';
import { download } from '../images.ts';
import { editor } from '../store.ts';

export function ResultView({ entry }: { entry?: HistoryEntry }) {
  const [showLayout, setShowLayout] = useState(false);
  if (!entry)
    return (
      <section className="result empty">
        <p className="hint">Results appear here, with the seed that made them.</p>
      </section>
    );
  const src = withToken(showLayout && entry.layoutSrc ? entry.layoutSrc : entry.resultSrc);
  return (
    <section className="result" data-testid="result">
      {entry.untrained && (
        <div className="warning" data-testid="untrained-warning" role="status">
          <strong>Untrained model.</strong> “{entry.model}” has random weights (trained: false);
          this image is noise, not a ContextGen result.
        </div>
      )}
      <div className="result-image checker">
        <img
          data-testid="result-image"
          src={src}
          alt={showLayout ? 'layout image' : 'generated image'}
        />
      </div>
      <div className="row">
        <span className="seed" data-testid="result-seed">
          Seed <strong>{entry.seed}</strong>
        </span>
        <button
          onClick={() => editor.dispatch('setSettings', { seed: entry.seed })}
          title="Generate again with this seed"
        >
          Use seed
        </button>
        <button aria-pressed={showLayout} onClick={() => setShowLayout((v) => !v)}>
          {showLayout ? 'Show result' : 'Show layout'}
        </button>
        <button
          onClick={() => download(`contextgen-${entry.seed}.png`, withToken(entry.resultSrc))}
        >
          Download
        </button>
      </div>
      {entry.warnings
        .filter((w) => !/untrained/.test(w))
        .map((w) => (
          <p key={w} className="hint">
            ⚠ {w}
          </p>
        ))}
    </section>
  );
}
