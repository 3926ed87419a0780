/**
 * The one editor of the page, a React hook over it, and autosave to localStorage so a reload
 * keeps the document and the results history.
 */
import { useSyncExternalStore } from 'react';
import { Editor, createEditorState, type EditorState } from '@contextgen/editor';

const AUTOSAVE_KEY = 'contextgen.editor.v1';

function restore(): EditorState {
  const fresh = createEditorState();
  try {
    const saved = localStorage.getItem(AUTOSAVE_KEY);
    if (!saved) return fresh;
    const s = JSON.parse(saved) as Partial<EditorState>;
    return { ...fresh, ...s, view: { ...fresh.view, ...s.view }, selection: [] };
  } catch {
    return fresh;
  }
}

export const editor = new Editor(restore());

let saveTimer: ReturnType<typeof setTimeout> | undefined;
export let autosaveProblem: string | undefined;

editor.subscribe((s) => {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    try {
      const { selection: _selection, ...rest } = s;
      localStorage.setItem(AUTOSAVE_KEY, JSON.stringify(rest));
      autosaveProblem = undefined;
    } catch (err) {
      autosaveProblem = `autosave failed (${(err as Error).message}); save the project to a file`;
    }
  }, 150);
});

export function useEditorState(): EditorState {
  return useSyncExternalStore(
    (cb) => editor.subscribe(cb),
    () => editor.state,
  );
}
