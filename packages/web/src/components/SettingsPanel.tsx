/** Global prompt, size, steps, guidance and seed. */
import type { EditorState, Settings } from '@contextgen/editor';
import type { ModelInfo } from '../api.ts';
import { editor } from '../store.ts';

export function SettingsPanel({ state, model }: { state: EditorState; model?: ModelInfo }) {
  const s = state.settings;
  const P = model?.tokenSize ?? 8;
  const min = model?.limits.minSide ?? 64;
  const max = model?.limits.maxSide ?? 1024;
  const set = (patch: Partial<Settings>) => editor.dispatch('setSettings', patch);
  const num = (v: string) => Number(v);
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
        <label className="field small">
          Width
          <input
            type="number"
            min={min}
            max={max}
            step={P}
            value={s.width}
            onChange={(e) => set({ width: num(e.target.value) })}
          />
        </label>
        <label className="field small">
          Height
          <input
            type="number"
            min={min}
            max={max}
            step={P}
            value={s.height}
            onChange={(e) => set({ height: num(e.target.value) })}
          />
        </label>
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
