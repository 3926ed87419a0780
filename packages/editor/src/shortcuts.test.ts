import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allShortcuts, commandForKey, matchesShortcut, parseShortcut } from './shortcuts.ts';

const key = (
  k: string,
  mods: Partial<{ ctrl: boolean; meta: boolean; shift: boolean; alt: boolean }> = {},
) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
});

test('parseShortcut reads modifiers and key', () => {
  assert.deepEqual(parseShortcut('Mod+Shift+Z'), { key: 'z', mod: true, shift: true, alt: false });
});

test('Mod is Ctrl elsewhere and Cmd on Apple', () => {
  assert.equal(matchesShortcut('Mod+Z', key('z', { ctrl: true })), true);
  assert.equal(matchesShortcut('Mod+Z', key('z', { meta: true })), false);
  assert.equal(matchesShortcut('Mod+Z', key('z', { meta: true }), true), true);
});

test('extra modifiers do not match', () => {
  assert.equal(matchesShortcut('Mod+Z', key('Z', { ctrl: true, shift: true })), false);
  assert.equal(commandForKey(key('Z', { ctrl: true, shift: true })), 'redo');
  assert.equal(commandForKey(key('z', { ctrl: true })), 'undo');
});

test('shifted bracket keys and Backspace map to their shortcuts', () => {
  assert.equal(commandForKey(key('}', { shift: true })), 'bringToFront');
  assert.equal(commandForKey(key(']')), 'bringForward');
  assert.equal(commandForKey(key('Backspace')), 'removeSelected');
  assert.equal(commandForKey(key('Enter', { ctrl: true })), 'generate');
  assert.equal(commandForKey(key('q')), undefined);
});

test('no two commands share a shortcut', () => {
  const specs = allShortcuts().map((s) => s.shortcut.toLowerCase());
  assert.equal(new Set(specs).size, specs.length);
});
