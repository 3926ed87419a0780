/**
 * The editor store: the current state, undo/redo over the document part of it (assets,
 * instances, settings), and change listeners. View options, selection and the results
 * history are never rewound by undo.
 */
import { ACTIONS, type ActionArgs, type ActionName } from './actions.ts';
import type { EditorState } from './types.ts';

type Doc = Pick<EditorState, 'assets' | 'instances' | 'settings'>;

const HISTORY_LIMIT = 200;

function docOf(s: EditorState): Doc {
  return { assets: s.assets, instances: s.instances, settings: s.settings };
}

function withDoc(s: EditorState, d: Doc): EditorState {
  const ids = new Set(d.instances.map((i) => i.id));
  return { ...s, ...d, selection: s.selection.filter((id) => ids.has(id)) };
}

export class Editor {
  #state: EditorState;
  #past: Doc[] = [];
  #future: Doc[] = [];
  #lastCoalesce: string | undefined;
  #listeners = new Set<(s: EditorState) => void>();

  constructor(initial: EditorState) {
    this.#state = initial;
  }

  get state(): EditorState {
    return this.#state;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  dispatch<K extends ActionName>(
    name: K,
    ...args: ActionArgs[K] extends void ? [] : [ActionArgs[K]]
  ): EditorState {
    const action = ACTIONS[name];
    if (!action) throw new Error(`Unknown editor action "${String(name)}"`);
    const perform = action.perform as (
      s: EditorState,
      a: ActionArgs[K] | undefined,
    ) => ReturnType<typeof action.perform>;
    const result = perform(this.#state, args[0]);
    if (result.state === this.#state) return this.#state;
    if (result.undoable) {
      const merge = result.coalesce !== undefined && result.coalesce === this.#lastCoalesce;
      if (!merge) {
        this.#past.push(docOf(this.#state));
        if (this.#past.length > HISTORY_LIMIT) this.#past.shift();
      }
      this.#future = [];
      this.#lastCoalesce = result.coalesce;
    }
    this.#set(result.state);
    return this.#state;
  }

  /** Ends a coalescing run (e.g. pointer up), so the next edit starts a new undo step. */
  commit(): void {
    this.#lastCoalesce = undefined;
  }

  undo(): boolean {
    const prev = this.#past.pop();
    if (!prev) return false;
    this.#future.push(docOf(this.#state));
    this.#lastCoalesce = undefined;
    this.#set(withDoc(this.#state, prev));
    return true;
  }

  redo(): boolean {
    const next = this.#future.pop();
    if (!next) return false;
    this.#past.push(docOf(this.#state));
    this.#lastCoalesce = undefined;
    this.#set(withDoc(this.#state, next));
    return true;
  }

  /** Replaces the whole state (project load) and forgets undo history. */
  reset(state: EditorState): void {
    this.#past = [];
    this.#future = [];
    this.#lastCoalesce = undefined;
    this.#set(state);
  }

  subscribe(listener: (s: EditorState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(s: EditorState): void {
    this.#state = s;
    for (const l of this.#listeners) l(s);
  }
}
