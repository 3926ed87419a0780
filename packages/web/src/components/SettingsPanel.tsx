/** Global prompt, size, steps, guidance and seed. Size changes apply on Enter or leaving the field. */
import {
  snapCanvasSide,
  type EditorState,
  type ModelBudgetLimits,
  type Settings,
} from '@contextgen/editor';
import type { ModelInfo } from '../api.ts';
import { editor } from '../store.ts';
import { CommitField } from './CommitField.tsx';

export function SettingsPanel({
  state,
  model,
  limits,
}: {
  state: EditorState;
  model?: ModelInfo;
  limits?: ModelBudgetLimits;
}) {
  const s = state.settings;
  const P = model?.tokenSize ?? 8;
  const min = model?.limits.minSide ?? 64;
  const max = model?.limits.maxSide ?? 1024;
  const set = (patch: Partial<Settings>) => editor.dispatch('setSettings', patch);
  const num = (v: string) => Number(v);
  const side = (v: number) =>
    snapCanvasSide(v, limits ?? { tokenSize: P, minSide: min, maxSide: max });
  return (
    <section className="settings">
      <label className="field wide">
        Prompt (the whole scene)
        <textarea
          data-testid="prompt"
          rows={3}
          value={s.prompt}
          placeholder="e.g. a cat and a dog on a beach at sunset"
          onChange={(e) => set({ prompt: e.target.value })}
          onBlur={() => editor.commit()}
        />
      </label>
      <div className="row">
        <CommitField
          label="Width"
          testId="width"
          min={min}
          max={max}
          step={P}
          value={s.width}
          onCommit={(v) => editor.dispatch('resizeCanvas', { width: side(v), height: s.height })}
        />
        <CommitField
          label="Height"
          testId="height"
          min={min}
          max={max}
          step={P}
          value={s.height}
          onCommit={(v) => editor.dispatch('resizeCanvas', { width: s.width, height: side(v) })}
        />
        <label className="field small">
          Steps
          <input
            type="number"
            min={1}
            max={200}
            value={s.steps}
            onChange={(e) => set({ steps: num(e.target.value) })}
          />
        </label>
        <label className="field small">
          Guidance
          <input
            type="number"
            min={0}
            max={30}
            step={0.5}
            value={s.guidance}
            onChange={(e) => set({ guidance: num(e.target.value) })}
          />
        </label>
      </div>
      <p className="hint">
        Size: multiples of {P} from {min} to {max} px; applied on Enter or when you leave the field.
      </p>
      <div className="row">
        <label className="field">
          Seed
          <input
            data-testid="seed"
            type="number"
            min={0}
            placeholder="random"
            disabled={s.seed === null}
            value={s.seed ?? ''}
            onChange={(e) =>
              set({
                seed: e.target.value === '' ? null : Math.max(0, Math.floor(num(e.target.value))),
              })
            }
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={s.seed === null}
            onChange={(e) => set({ seed: e.target.checked ? null : 0 })}
          />{' '}
          Random seed
        </label>
      </div>
    </section>
  );
}
