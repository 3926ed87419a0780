/**
 * The one argument parser of every `contextgen` command (generate, layout, debug, dataset,
 * bench, serve, ...): a command is data (its options, positionals and help text), parsing
 * gives typed values or an ArgsError that names the option and says what to type instead,
 * and `-h` / `--help` is understood by every command. Pure: no Node APIs.
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One-letter alias, without the dash: `o` for `-o`. */
  readonly short?: string;
  /** Repeatable: the values are collected in order. Only for string options. */
  readonly multiple?: boolean;
  /** The value's name in the help text (`FILE`, `N`); string options only. */
  readonly value?: string;
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** Full name as typed: `contextgen generate`, `contextgen bench run`. */
  readonly name: string;
  /** What follows the name in the usage line: `<request.json> -o out.png [options]`. */
  readonly synopsis: string;
  /** One line saying what the command does. */
  readonly summary: string;
  readonly options: O;
  /** How many positional arguments it takes (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly what: string };
  /** Further text printed after the options (environment, examples, exit codes). */
  readonly notes?: string;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : string | undefined;

export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export type ParsedCommand<O extends OptionSpecs> =
  | { readonly help: true }
  | { readonly help: false; readonly values: OptionValues<O>; readonly positionals: string[] };

/** Wrong command-line usage; the message says what was wrong and what to type instead. */
export class ArgsError extends Error {
  override readonly name = 'ArgsError';
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

/** Levenshtein distance, for "did you mean" hints on mistyped options. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggestion(name: string, options: OptionSpecs): string {
  let best = '';
  let bestD = Infinity;
  for (const known of Object.keys(options)) {
    const d = distance(name, known);
    if (d < bestD || (d === bestD && known < best)) [best, bestD] = [known, d];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean --${best}?)` : '';
}

const helpHint = (spec: CommandSpec): string => `; run \`${spec.name} --help\` for its options`;

/**
 * Parse `argv` for `spec`. `--name value`, `--name=value`, `-o value`, `-o=value` and `--`
 * (the rest is positional) are understood. A string option takes the next argument as its
 * value unless that is another option of this command, so `--seed -1` reaches the option's
 * own check instead of being mistaken for an option.
 * @throws ArgsError for an unknown option, a missing value, a value given to a switch, or the
 *   wrong number of positionals
 */
export function parseCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): ParsedCommand<O> {
  const options: OptionSpecs = { ...spec.options, help: HELP_OPTION };
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(o.short, name);
  const isOption = (arg: string): boolean =>
    arg.startsWith('--')
      ? arg.length > 2 && arg.slice(2).split('=')[0]! in options
      : /^-[A-Za-z]/.test(arg) && byShort.has(arg[1]!);

  const values: Record<string, string | string[] | boolean | undefined> = {};
  for (const [name, o] of Object.entries(spec.options))
    values[name] = o.type === 'boolean' ? false : o.multiple ? [] : undefined;
  const positionals: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const long = arg.startsWith('--');
    const short = !long && /^-[A-Za-z]/.test(arg);
    if (!long && !short) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let name: string | undefined;
    if (long) name = written.slice(2) in options ? written.slice(2) : undefined;
    else if (written.length === 2) name = byShort.get(written[1]!);
    if (name === undefined) {
      const hint = long ? suggestion(written.slice(2), spec.options) : '';
      throw new ArgsError(`unknown option ${written} for ${spec.name}${hint}${helpHint(spec)}`);
    }
    const o = options[name]!;
    const label = o.short ? `-${o.short}/--${name}` : `--${name}`;
    if (o.type === 'boolean') {
      if (inline !== undefined)
        throw new ArgsError(`${label} is a switch and takes no value (got "${arg}")`);
      if (name === 'help') help = true;
      else values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next === '--' || isOption(next)) {
        throw new ArgsError(
          `${label} needs a value (${o.value ?? 'VALUE'})${next === undefined ? '' : `, got the option ${next}`}${helpHint(spec)}`,
        );
      }
      value = next;
      i++;
    }
    if (o.multiple) (values[name] as string[]).push(value);
    else values[name] = value;
  }
  if (help) return { help: true };

  const p = spec.positionals ?? { min: 0, max: 0, what: '' };
  if (positionals.length < p.min || positionals.length > p.max) {
    const wanted =
      p.max === 0
        ? 'no arguments besides options'
        : p.min === p.max
          ? `${p.min === 1 ? 'one' : p.min} ${p.what}`
          : p.max === Infinity
            ? `at least ${p.min} ${p.what}`
            : `${p.min} to ${p.max} ${p.what}`;
    const got =
      positionals.length === 0 ? 'none' : positionals.map((s) => JSON.stringify(s)).join(' ');
    throw new ArgsError(`${spec.name} takes ${wanted}, got ${got}${helpHint(spec)}`);
  }
  return { help: false, values: values as OptionValues<O>, positionals };
}

function optionRows(options: OptionSpecs): string[] {
  const rows = Object.entries({ ...options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.help + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([f]) => f.length)) + 2);
  return rows.map(([f, h]) =>
    f.length + 2 > width ? `  ${f}\n  ${' '.repeat(width)}${h}` : `  ${f.padEnd(width)}${h}`,
  );
}

/** The help text of a command: usage line, summary, options, notes. */
export function commandUsage(spec: CommandSpec): string {
  return [
    `Usage: ${spec.name} ${spec.synopsis}`.trimEnd(),
    `  ${spec.summary}`,
    '',
    'Options:',
    ...optionRows(spec.options),
    ...(spec.notes ? ['', spec.notes] : []),
  ].join('\n');
}

/** A command with subcommands (`contextgen dataset build|preview|...`). */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: readonly { readonly word: string; readonly spec: CommandSpec }[];
  readonly notes?: string;
}

/** The help text of a group: one line per subcommand. */
export function groupUsage(group: CommandGroup): string {
  const width = Math.max(...group.commands.map((c) => c.word.length)) + 2;
  return [
    `Usage: ${group.name} <command> [options]`,
    `  ${group.summary}`,
    '',
    'Commands:',
    ...group.commands.map((c) => `  ${c.word.padEnd(width)}${c.spec.summary}`),
    '',
    `Run \`${group.name} <command> --help\` for a command's options.`,
    ...(group.notes ? ['', group.notes] : []),
  ].join('\n');
}

/**
 * Which subcommand of `group` argv names: `{ help: true }` for none given with -h/--help/help,
 * else the subcommand's word and the arguments after it.
 * @throws ArgsError for a missing or unknown subcommand, listing the known ones
 */
export function chooseSubcommand(
  group: CommandGroup,
  argv: readonly string[],
): { readonly help: true } | { readonly help: false; word: string; rest: string[] } {
  const [word, ...rest] = argv;
  if (word === '--help' || word === '-h' || word === 'help') return { help: true };
  const known = group.commands.map((c) => c.word);
  if (word === undefined)
    throw new ArgsError(
      `${group.name} needs a command: ${known.join(', ')}; run \`${group.name} --help\``,
    );
  if (!known.includes(word))
    throw new ArgsError(
      `unknown command "${word}" for ${group.name}; choose one of ${known.join(', ')} (\`${group.name} --help\` lists them)`,
    );
  return { help: false, word, rest };
}

/**
 * Parse a whole number option value in `min..max`.
 * @throws ArgsError naming the option, its range and what was given
 */
export function parseIntegerArg(option: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ArgsError(`${option} must be a whole number in ${rangeText(min, max)}, got "${raw}"`);
  }
  return n;
}

/**
 * Parse a number option value in `min..max`.
 * @throws ArgsError naming the option, its range and what was given
 */
export function parseNumberArg(option: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new ArgsError(`${option} must be a number in ${rangeText(min, max)}, got "${raw}"`);
  }
  return n;
}

function rangeText(min: number, max: number): string {
  return max === Infinity ? `${min} or more` : `${min}..${max}`;
}

/**
 * Parse an option value that must be one of `choices`.
 * @throws ArgsError listing the choices
 */
export function parseChoiceArg<C extends string>(
  option: string,
  raw: string,
  choices: readonly C[],
): C {
  if ((choices as readonly string[]).includes(raw)) return raw as C;
  throw new ArgsError(`${option} must be one of ${choices.join(', ')}, got "${raw}"`);
}
