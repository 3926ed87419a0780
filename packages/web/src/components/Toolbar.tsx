/** Top bar: model and its status, undo/redo, project files, view toggles, shortcuts. */
import { useState } from 'react';
import { allShortcuts, type EditorState } from '@contextgen/editor';
import type { ModelInfo } from '../api.ts';
import { editor } from '../store.ts';

export function Toolbar({
  state,
  model,
  onOpen,
  onSave,
  onImport,
}: {
  state: EditorState;
  model?: ModelInfo;
  onOpen: (f: File) => void;
  onSave: () => void;
  onImport: (files: FileList) => void;
}) {
  const [help, setHelp] = useState(false);
  const v = state.view;
  return (
    <header className="toolbar">
      <span className="brand">ContextGen</span>
      {model && (
        <span className="model" title={model.description}>
          {model.name}{' '}
          {model.untrained && (
            <span className="badge warn" data-testid="model-untrained">
              untrained
            </span>
          )}
        </span>
      )}
      <span className="sep" />
      <button onClick={() => editor.undo()} disabled={!editor.canUndo} title="Undo (Mod+Z)">
        Undo
      </button>
      <button onClick={() => editor.redo()} disabled={!editor.canRedo} title="Redo (Mod+Shift+Z)">
        Redo
      </button>
      <span className="sep" />
      <label className="button" title="Open a saved project (.json)">
        Open…
        <input
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => e.target.files?.[0] && onOpen(e.target.files[0])}
        />
      </label>
      <button onClick={onSave} title="Save project (Mod+S)">
        Save
      </button>
      <label className="button" title="Import segment_info.json together with its reference images">
        Import segment_info…
        <input
          type="file"
          multiple
          accept="application/json,.json,image/png,image/jpeg,image/webp"
          hidden
          onChange={(e) => e.target.files && onImport(e.target.files)}
        />
      </label>
      <span className="sep" />
      <button
        aria-pressed={v.showLayout}
        data-testid="toggle-layout"
        onClick={() => editor.dispatch('toggleLayout')}
        title="Show the layout image (L)"
      >
        Layout
      </button>
      <button
        aria-pressed={v.showBoxes}
        onClick={() => editor.dispatch('toggleBoxes')}
        title="Show box outlines and labels (B)"
      >
        Boxes
      </button>
      <button
        aria-pressed={v.snapToGrid}
        onClick={() => editor.dispatch('setView', { snapToGrid: !v.snapToGrid })}
        title={`Snap to a ${v.grid}px grid`}
      >
        Grid
      </button>
      <button
        aria-pressed={v.snapToEdges}
        onClick={() => editor.dispatch('setView', { snapToEdges: !v.snapToEdges })}
        title="Snap to other boxes and the canvas edges"
      >
        Edges
      </button>
      <span className="grow" />
      <button onClick={() => setHelp((h) => !h)} aria-expanded={help}>
        Shortcuts
      </button>
      {help && (
        <div
          className="shortcuts"
          role="dialog"
          aria-label="Keyboard shortcuts"
          onClick={() => setHelp(false)}
        >
          <table>
            <tbody>
              {allShortcuts().map((s) => (
                <tr key={s.shortcut}>
                  <td>
                    <kbd>
                      {s.shortcut.replace(
                        'Mod',
                        navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl',
                      )}
                    </kbd>
                  </td>
                  <td>{s.label}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </header>
  );
}
