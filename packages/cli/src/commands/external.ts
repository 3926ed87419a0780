/**
 * Subcommands other packages provide: loaded with a dynamic import so a package that is
 * missing, or does not export its entry yet, gives a clear "not available" error instead of
 * breaking the whole CLI.
 */
import { findModel } from '@contextgen/runtime';
import { NotAvailableError } from '../errors.ts';
import type { Io } from '../io.ts';

export interface ExternalCommand {
  readonly name: string;
  readonly pkg: string;
  /** The function the package exports: `(argv) => Promise<exit code>`. */
  readonly exportName: string;
  readonly summary: string;
}

export const EXTERNAL_COMMANDS: readonly ExternalCommand[] = [
  {
    name: 'dataset',
    pkg: '@contextgen/dataset',
    exportName: 'runDatasetCli',
    summary: 'dataset build|preview  the IMIG-Synth data set',
  },
  {
    name: 'bench',
    pkg: '@contextgen/bench',
    exportName: 'runBenchCli',
    summary: 'bench run|report       the benchmark',
  },
];

/** Import a package's entry; NotAvailableError when it cannot be loaded. */
export async function importPackage(
  pkg: string,
  command: string,
): Promise<Record<string, unknown>> {
  try {
    return (await import(pkg)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (
      e.code === 'ERR_MODULE_NOT_FOUND' ||
      e.code === 'MODULE_NOT_FOUND' ||
      e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
    ) {
      throw new NotAvailableError(
        `"contextgen ${command}" is not available: the package ${pkg} could not be loaded (${e.message.split('\n')[0]}). Run \`bash scripts/setup.sh\` from the repository root; if it persists, that package is not built yet.`,
      );
    }
    throw err;
  }
}

export function exportedFunction<F>(
  mod: Record<string, unknown>,
  pkg: string,
  name: string,
  command: string,
): F {
  const fn = mod[name];
  if (typeof fn !== 'function') {
    throw new NotAvailableError(
      `"contextgen ${command}" is not available: ${pkg} does not export ${name}() yet.`,
    );
  }
  return fn as F;
}

export async function runExternal(spec: ExternalCommand, argv: string[]): Promise<number> {
  const mod = await importPackage(spec.pkg, spec.name);
  const run = exportedFunction<(argv: string[]) => Promise<number>>(
    mod,
    spec.pkg,
    spec.exportName,
    spec.name,
  );
  return run(argv);
}

interface RunningServer {
  readonly url?: string | null;
  close(): Promise<void>;
}

/** `contextgen serve [...]`: @contextgen/server's parseServeArgs + serve; runs until SIGINT/SIGTERM. */
export async function runServe(argv: string[], io: Io): Promise<number> {
  const pkg = '@contextgen/server';
  const mod = await importPackage(pkg, 'serve');
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(typeof mod.SERVE_USAGE === 'string' ? mod.SERVE_USAGE : 'contextgen serve [options]');
    return 0;
  }
  const parse = exportedFunction<
    (a: string[], env: NodeJS.ProcessEnv, defaultModel: () => string) => object
  >(mod, pkg, 'parseServeArgs', 'serve');
  const serve = exportedFunction<(o: object) => Promise<RunningServer>>(mod, pkg, 'serve', 'serve');
  const options = parse(argv, process.env, () => findModel({ env: process.env.CONTEXTGEN_MODEL }));
  const server = await serve(options);
  io.out(
    `contextgen server listening on ${server.url ?? '(no HTTP: worker only)'}; Ctrl-C stops it`,
  );
  await new Promise<void>((done) => {
    const stop = (): void => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
