/**
 * Keyboard shortcuts as data: "Mod+Shift+Z" style strings matched against key events.
 * "Mod" is Ctrl, or Cmd on Apple platforms. No DOM types: the UI passes a plain object.
 */
import { listActions, type ActionName } from './actions.ts';

export interface KeyInput {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export interface Shortcut {
  readonly key: string;
  readonly mod: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
}

export function parseShortcut(spec: string): Shortcut {
  const parts = spec.split('+');
  const key = parts.pop();
  if (!key) throw new Error(`Empty shortcut "${spec}"`);
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return {
    key: key.toLowerCase(),
    mod: mods.has('mod'),
    shift: mods.has('shift'),
    alt: mods.has('alt'),
  };
}

/** Keys that Shift changes on a US layout, so "Shift+]" also matches the key "}". */
const SHIFTED: Record<string, string> = { '}': ']', '{': '[', '?': '/', '+': '=' };

export function matchesShortcut(spec: string, e: KeyInput, apple = false): boolean {
  const s = parseShortcut(spec);
  const mod = apple ? e.metaKey : e.ctrlKey;
  let key = e.key.toLowerCase();
  key = SHIFTED[key] ?? key;
  if (key === 'backspace' && s.key === 'delete') key = 'delete';
  return key === s.key && mod === s.mod && e.shiftKey === s.shift && e.altKey === s.alt;
}

/** Editor-level commands that are not document actions. */
export type CommandName = ActionName | 'undo' | 'redo' | 'generate' | 'saveProject';

export interface CommandShortcut {
  readonly command: CommandName;
  readonly label: string;
  readonly shortcut: string;
}

export const EXTRA_SHORTCUTS: readonly CommandShortcut[] = [
  { command: 'undo', label: 'Undo', shortcut: 'Mod+Z' },
  { command: 'redo', label: 'Redo', shortcut: 'Mod+Shift+Z' },
  { command: 'redo', label: 'Redo', shortcut: 'Mod+Y' },
  { command: 'generate', label: 'Generate', shortcut: 'Mod+Enter' },
  { command: 'saveProject', label: 'Save project', shortcut: 'Mod+S' },
];

export function allShortcuts(): CommandShortcut[] {
  const fromActions = listActions()
    .filter((a) => a.shortcut)
    .map((a) => ({ command: a.name, label: a.label, shortcut: a.shortcut as string }));
  return [...EXTRA_SHORTCUTS, ...fromActions];
}

/** The command bound to a key event, if any. */
export function commandForKey(e: KeyInput, apple = false): CommandName | undefined {
  return allShortcuts().find((c) => matchesShortcut(c.shortcut, e, apple))?.command;
}
