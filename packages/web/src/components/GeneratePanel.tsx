/** Generate, watch the queue and the steps (with previews), cancel; errors show their real cause. */
import type { GenerationState } from '../useGeneration.ts';

export function GeneratePanel({
  gen,
  onGenerate,
  onCancel,
  onDismiss,
  disabledReason,
}: {
  gen: GenerationState;
  onGenerate: () => void;
  onCancel: () => void;
  onDismiss: () => void;
  disabledReason?: string;
}) {
  const active = gen.phase === 'uploading' || gen.phase === 'queued' || gen.phase === 'running';
  const pct = gen.total > 0 ? Math.round((100 * gen.step) / gen.total) : 0;
  return (
    <section className="generate">
      <div className="row">
        <button
          data-testid="generate"
          className="primary big"
          disabled={active || !!disabledReason}
          title={disabledReason ?? 'Mod+Enter'}
          onClick={onGenerate}
        >
          Generate
        </button>
        {active && gen.jobId && (
          <button data-testid="cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
        <span className="status" data-testid="status">
          {gen.phase === 'uploading' && 'Uploading references…'}
          {gen.phase === 'queued' &&
            `Waiting in queue${gen.position ? ` (position ${gen.position})` : ''}…`}
          {gen.phase === 'running' && `Step ${gen.step} of ${gen.total}`}
          {gen.phase === 'done' && 'Done'}
          {gen.phase === 'cancelled' && 'Cancelled'}
          {gen.phase === 'idle' && (disabledReason ?? '')}
        </span>
      </div>
      {(active || gen.phase === 'done') && (
        <div
          className="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={gen.total}
          aria-valuenow={gen.step}
        >
          <div className="bar" style={{ width: `${pct}%` }} />
        </div>
      )}
      {active && gen.preview && (
        <div className="preview">
          <img data-testid="preview" src={gen.preview} alt="current estimate" />
          <span className="hint">current estimate, step {gen.step}</span>
        </div>
      )}
      {gen.error && (
        <div className="error" role="alert" data-testid="error">
          <strong>{gen.phase === 'failed' ? 'Generation failed: ' : ''}</strong>
          {gen.error}
          <button className="ghost" onClick={onDismiss} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
    </section>
  );
}
