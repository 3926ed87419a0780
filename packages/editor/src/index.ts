/** @contextgen/editor: headless editor state, actions, undo history and project files (no DOM). */
export * from './types.ts';
export * from './state.ts';
export * from './geometry.ts';
export * from './actions.ts';
export * from './editor.ts';
export * from './shortcuts.ts';
export * from './project.ts';
export * from './request.ts';
export * from './segment-info.ts';
export * from './budget.ts';
export * from './jobs.ts';
export * from './drafts.ts';
