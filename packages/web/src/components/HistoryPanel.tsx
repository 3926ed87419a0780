/** Kept results with their settings; one click shows a result, "Restore" brings its settings back. */
import type { HistoryEntry } from '@contextgen/editor';
import { withToken } from '../api.ts';
import { editor } from '../store.ts';

export function HistoryPanel({
  results,
  current,
  onShow,
}: {
  results: readonly HistoryEntry[];
  current?: string;
  onShow: (id: string) => void;
}) {
  return (
    <section className="history">
      <h2>History</h2>
      {results.length === 0 && <p className="hint">No results yet.</p>}
      <ul>
        {results.map((r) => (
          <li key={r.id} className={r.id === current ? 'current' : ''} data-testid="history-item">
            <button className="thumb-button" onClick={() => onShow(r.id)} title="Show this result">
              <img src={withToken(r.resultSrc)} alt={`result with seed ${r.seed}`} />
            </button>
            <div className="history-body">
              <div>
                Seed {r.seed} {r.untrained && <span className="badge warn">untrained</span>}
              </div>
              <div className="hint" title={r.settings.prompt}>
                {new Date(r.createdAt).toLocaleTimeString()} · {r.instances.length} box
                {r.instances.length === 1 ? '' : 'es'} · {r.settings.prompt || '(no prompt)'}
              </div>
              <div className="row tight">
                <button
                  data-testid="restore"
                  onClick={() => {
                    editor.dispatch('restoreResult', { id: r.id });
                    onShow(r.id);
                  }}
                  title="Restore prompt, boxes, size, steps and seed"
                >
                  Restore
                </button>
                <button
                  className="ghost"
                  onClick={() => editor.dispatch('removeResult', { id: r.id })}
                  aria-label="Remove from history"
                >
                  ✕
                </button>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
