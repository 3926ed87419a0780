/** The `contextgen` command: argument dispatch only; the work lives in the packages. */
import { readFileSync } from 'node:fs';
import { ArgsError } from '@contextgen/core';
import { runBench, runDataset } from './commands/dataset-bench.ts';
import { runDebug } from './commands/debug-tokens.ts';
import { runDoctor } from './commands/doctor.ts';
import { runGenerate } from './commands/generate.ts';
import { runLayout } from './commands/layout.ts';
import { runServe } from './commands/serve.ts';
import { reportError } from './errors.ts';
import { processIo, type Io } from './io.ts';

/** Every command: the word typed, what it does, and its runner. */
const COMMANDS: readonly {
  readonly word: string;
  readonly summary: string;
  readonly run: (argv: string[], io: Io) => Promise<number>;
}[] = [
  { word: 'generate', summary: 'generate an image from a request', run: runGenerate },
  { word: 'layout', summary: 'the layout image with numbered boxes (debugging)', run: runLayout },
  { word: 'debug', summary: 'debug tokens: the token plan and masks as JSON', run: runDebug },
  { word: 'dataset', summary: 'dataset build|preview: the IMIG-Synth data set', run: runDataset },
  { word: 'bench', summary: 'bench run|report|...: the benchmark', run: runBench },
  { word: 'serve', summary: 'the HTTP API and the web editor', run: runServe },
  {
    word: 'doctor',
    summary: 'can this model folder run here? (files, Python, CUDA, VRAM)',
    run: runDoctor,
  },
];

export const USAGE = `Usage: contextgen <command> [options]
  multi-instance image generation with layout control and identity references

Commands:
${COMMANDS.map((c) => `  ${c.word.padEnd(10)}${c.summary}`).join('\n')}

Options:
  -h, --help     show this help (\`contextgen <command> --help\` for a command's options)
  -v, --version  print the version

A <request> is a ContextGen request JSON or the official tools' segment_info.json (one example,
or a list: choose one with --entry N); image paths in it are relative to the file.
Exit codes: 0 done, 1 failure, 2 bad input, 3 no trained model.`;

/** `contextgen <version> (node <version>)`, from this package's package.json. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `contextgen ${pkg.version} (node ${process.version})`;
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined || word === 'help' || word === '--help' || word === '-h') {
    io.out(USAGE);
    return 0;
  }
  if (word === '--version' || word === '-v' || word === 'version') {
    io.out(versionLine());
    return 0;
  }
  const command = COMMANDS.find((c) => c.word === word);
  if (!command)
    throw new ArgsError(
      `unknown command "${word}"; choose one of ${COMMANDS.map((c) => c.word).join(', ')} (\`contextgen --help\`)`,
    );
  return command.run(rest, io);
}

/** Run the CLI; returns the exit code. Errors are printed, never thrown. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const { message, code } = reportError(err, process.env.CONTEXTGEN_DEBUG === '1');
    io.err(message);
    return code;
  }
}
