/** The `contextgen` command: argument dispatch only; the work lives in the packages. */
import { runDebug, DEBUG_USAGE } from './commands/debug-tokens.ts';
import { DOCTOR_USAGE, runDoctor } from './commands/doctor.ts';
import { EXTERNAL_COMMANDS, runExternal, runServe } from './commands/external.ts';
import { GENERATE_USAGE, runGenerate } from './commands/generate.ts';
import { LAYOUT_USAGE, runLayout } from './commands/layout.ts';
import { reportError, UsageError } from './errors.ts';
import { processIo, type Io } from './io.ts';

export const USAGE = `contextgen: multi-instance image generation with layout control and identity references

Commands:
  generate <request> -o out.png   generate an image (see below)
  layout <request> -o layout.png  the composed layout image with numbered boxes (debugging)
  debug tokens <request>          the token plan and attention masks as JSON
  doctor [--model DIR]            can this model folder run here? (files, Python, CUDA, VRAM)
${EXTERNAL_COMMANDS.map((c) => `  ${c.summary}`).join('\n')}
  serve                           the HTTP API and web interface (contextgen serve --help)

${GENERATE_USAGE}

${LAYOUT_USAGE}

${DEBUG_USAGE}

${DOCTOR_USAGE}

A <request> is a ContextGen request JSON or the official tools' segment_info.json; image paths
in it are relative to the file. Exit codes: 0 done, 1 failure, 2 bad input, 3 no trained model.`;

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      return runGenerate(rest, io);
    case 'layout':
      return runLayout(rest, io);
    case 'debug':
      return runDebug(rest, io);
    case 'serve':
      return runServe(rest, io);
    case 'doctor':
      return runDoctor(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return 0;
  }
  const external = EXTERNAL_COMMANDS.find((c) => c.name === command);
  if (external) return runExternal(external, rest);
  throw new UsageError(`unknown command "${command}"; run \`npx contextgen --help\` for the list`);
}

/** Run the CLI; returns the exit code. Errors are printed, never thrown. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // node:util parseArgs reports unknown/missing options with these codes.
    const usage =
      typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')
        ? new UsageError(`${e.message}; run \`npx contextgen --help\``)
        : err;
    const { message, code } = reportError(usage, process.env.CONTEXTGEN_DEBUG === '1');
    io.err(message);
    return code;
  }
}
