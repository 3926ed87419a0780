/**
 * Generate, the live token budget, why Generate is blocked (in words, beside the button),
 * the queue and the steps (with previews), cancel; errors show their real cause.
 */
import {
  formatBudget,
  tokenBudget,
  type EditorState,
  type ModelBudgetLimits,
} from '@contextgen/editor';
import type { GenerationState } from '../useGeneration.ts';

export function GeneratePanel({
  gen,
  state,
  limits,
  onGenerate,
  onCancel,
  onDismiss,
  disabledReason,
}: {
  gen: GenerationState;
  state: EditorState;
  limits?: ModelBudgetLimits;
  onGenerate: () => void;
  onCancel: () => void;
  onDismiss: () => void;
  disabledReason?: string;
}) {
  const active = gen.phase === 'uploading' || gen.phase === 'queued' || gen.phase === 'running';
  const pct = gen.total > 0 ? Math.round((100 * gen.step) / gen.total) : 0;
  const budget = limits ? tokenBudget(state, limits) : undefined;
  return (
    <section className="generate">
      {budget && (
        <div
          className={'budget' + (budget.used > budget.max ? ' over' : '')}
          data-testid="budget"
          title={`canvas + layout ${budget.canvas}, references ${budget.references}, text ${budget.text}`}
        >
          <div className="budget-bar">
            <div style={{ width: `${Math.min(100, (100 * budget.used) / budget.max)}%` }} />
          </div>
          <span>{formatBudget(budget)}</span>
        </div>
      )}
      <div className="row">
        <button
          data-testid="generate"
          className="primary big"
          disabled={active || !!disabledReason}
          title={disabledReason ?? 'Mod+Enter'}
          aria-describedby={disabledReason ? 'generate-blocked' : undefined}
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
          {gen.phase === 'running' &&
            `Step ${gen.step} of ${gen.total}${gen.reattached ? ' (picked up again)' : ''}`}
          {gen.phase === 'done' && !disabledReason && 'Done'}
          {gen.phase === 'cancelled' && 'Cancelled'}
        </span>
      </div>
      {disabledReason && !active && (
        <p className="blocked" id="generate-blocked" data-testid="generate-blocked" role="status">
          {disabledReason}
        </p>
      )}
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
