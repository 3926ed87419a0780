/**
 * Top bar: model and its status, undo/redo, project files, view toggles, shortcuts. Every
 * control is a real button, so Tab reaches it; the Shortcuts panel closes on Escape.
 */
import { useEffect, useRef, useState } from 'react';
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
  const openInput = useRef<HTMLInputElement>(null);
  const importInput = useRef<HTMLInputElement>(null);
  const helpButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!help) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      setHelp(false);
      helpButton.current?.focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [help]);
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
      <button
        data-testid="open"
        title="Open a saved project (.json)"
        onClick={() => openInput.current?.click()}
      >
        Open…
      </button>
      <input
        ref={openInput}
        type="file"
        accept="application/json,.json"
        hidden
        tabIndex={-1}
        onChange={(e) => {
          if (e.target.files?.[0]) onOpen(e.target.files[0]);
          e.target.value = '';
        }}
      />
      <button onClick={onSave} title="Save project (Mod+S)">
        Save
      </button>
      <button
        data-testid="import"
        title="Import segment_info.json together with its reference images"
        onClick={() => importInput.current?.click()}
      >
        Import segment_info…
      </button>
      <input
        ref={importInput}
        type="file"
        multiple
        accept="application/json,.json,image/png,image/jpeg,image/webp"
        hidden
        tabIndex={-1}
        onChange={(e) => {
          if (e.target.files) onImport(e.target.files);
          e.target.value = '';
        }}
      />
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
      <button
        ref={helpButton}
        data-testid="shortcuts-button"
        onClick={() => setHelp((h) => !h)}
        aria-expanded={help}
      >
        Shortcuts
      </button>
      {help && (
        <div
          className="shortcuts"
          role="dialog"
          aria-label="Keyboard shortcuts"
          data-testid="shortcuts"
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
