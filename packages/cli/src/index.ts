/** @contextgen/cli: the `contextgen` command (bin/contextgen.mjs). */
export { main, USAGE } from './main.ts';
export { EXIT, reportError } from './errors.ts';
