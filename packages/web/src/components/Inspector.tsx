/** The selected box: its phrase, exact box, aspect lock, paint order. */
import { boxHeight, boxWidth, type EditorState } from '@contextgen/editor';
import { editor } from '../store.ts';
import { CommitField } from './CommitField.tsx';

export function Inspector({ state }: { state: EditorState }) {
  const selected = state.instances.filter((i) => state.selection.includes(i.id));
  if (selected.length === 0) {
    return (
      <section className="inspector">
        <p className="hint">
          Select a box to edit its phrase and size. Place references from the library on the left.
        </p>
      </section>
    );
  }
  if (selected.length > 1) {
    return (
      <section className="inspector">
        <p>{selected.length} boxes selected</p>
        <ZOrderButtons />
      </section>
    );
  }
  const inst = selected[0]!;
  const asset = state.assets.find((a) => a.id === inst.assetId);
  return (
    <section className="inspector" data-testid="inspector">
      <label className="field wide">
        {asset ? `Phrase for ${asset.name}` : 'Phrase (a text-only box: no reference image)'}
        <input
          data-testid="phrase"
          value={inst.phrase}
          placeholder="what this is, e.g. a grey cat"
          onChange={(e) => editor.dispatch('setPhrase', { id: inst.id, phrase: e.target.value })}
          onBlur={() => editor.commit()}
        />
      </label>
      <div className="row coords">
        {(['x1', 'y1', 'x2', 'y2'] as const).map((k) => (
          <CommitField
            key={`${inst.id}-${k}`}
            label={k}
            testId={`coord-${k}`}
            value={inst.box[k]}
            onCommit={(value) => editor.dispatch('setBoxEdge', { id: inst.id, edge: k, value })}
          />
        ))}
        <span className="hint">
          {boxWidth(inst.box)}×{boxHeight(inst.box)}
        </span>
      </div>
      <div className="row">
        <label className="check">
          <input
            type="checkbox"
            checked={inst.aspectLocked}
            onChange={() => editor.dispatch('toggleAspectLock', { id: inst.id })}
          />{' '}
          Lock aspect
        </label>
        <ZOrderButtons />
        <button onClick={() => editor.dispatch('duplicateSelected')} title="Mod+D">
          Duplicate
        </button>
        <button onClick={() => editor.dispatch('removeSelected')} title="Delete">
          Delete
        </button>
      </div>
    </section>
  );
}

function ZOrderButtons() {
  return (
    <span className="row tight">
      <button onClick={() => editor.dispatch('sendToBack')} title="Send to back (Shift+[)">
        ⤓
      </button>
      <button onClick={() => editor.dispatch('sendBackward')} title="Send backward ([)">
        ↓
      </button>
      <button onClick={() => editor.dispatch('bringForward')} title="Bring forward (])">
        ↑
      </button>
      <button onClick={() => editor.dispatch('bringToFront')} title="Bring to front (Shift+])">
        ⤒
      </button>
    </span>
  );
}
