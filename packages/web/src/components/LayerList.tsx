/** Every box, top of the paint order first: select, reorder, add a text-only box. */
import { boxName, type EditorState } from '@contextgen/editor';
import { editor } from '../store.ts';

export function LayerList({ state }: { state: EditorState }) {
  const top = [...state.instances].sort((a, b) => b.z - a.z);
  const assets = new Map(state.assets.map((a) => [a.id, a]));
  const act = (id: string, what: 'bringForward' | 'sendBackward') => {
    editor.dispatch('select', { ids: [id] });
    editor.dispatch(what);
  };
  return (
    <section className="layers" data-testid="layers">
      <header className="panel-head">
        <h2>Layers</h2>
        <button
          data-testid="add-text-box"
          title="A box with a phrase and no reference image"
          onClick={() => editor.dispatch('addInstance', { assetId: null, phrase: '' })}
        >
          + Text box
        </button>
      </header>
      {top.length === 0 && (
        <p className="hint">No boxes yet. The top of this list is drawn on top.</p>
      )}
      <ol className="layer-list">
        {top.map((inst, k) => {
          const selected = state.selection.includes(inst.id);
          const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
          return (
            <li
              key={inst.id}
              className={selected ? 'selected' : ''}
              data-testid="layer"
              data-id={inst.id}
            >
              <button
                className="layer-name"
                aria-pressed={selected}
                onClick={(e) =>
                  editor.dispatch('select', {
                    ids: e.shiftKey ? [...state.selection, inst.id] : [inst.id],
                  })
                }
              >
                {boxName(state, inst.id)}
                <span className="badge">{asset ? 'image' : 'text only'}</span>
              </button>
              <button
                title="Bring forward"
                aria-label={`Bring ${boxName(state, inst.id)} forward`}
                disabled={k === 0}
                onClick={() => act(inst.id, 'bringForward')}
              >
                ↑
              </button>
              <button
                title="Send backward"
                aria-label={`Send ${boxName(state, inst.id)} backward`}
                disabled={k === top.length - 1}
                onClick={() => act(inst.id, 'sendBackward')}
              >
                ↓
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
