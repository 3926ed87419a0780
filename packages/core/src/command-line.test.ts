import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgsError,
  chooseSubcommand,
  commandUsage,
  groupUsage,
  parseChoiceArg,
  parseCommand,
  parseIntegerArg,
  parseNumberArg,
  type CommandSpec,
} from './command-line.ts';

const SPEC = {
  name: 'contextgen frob',
  synopsis: '<file> -o out.png [options]',
  summary: 'frobs a file',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'where to write' },
    seed: { type: 'string', value: 'N', help: 'the seed' },
    model: { type: 'string', multiple: true, value: 'DIR', help: 'a model' },
    quiet: { type: 'boolean', help: 'say less' },
  },
  positionals: { min: 1, max: 1, what: 'file' },
  notes: 'Exit codes: 0 done.',
} as const satisfies CommandSpec;

function parsed(argv: string[]) {
  const r = parseCommand(SPEC, argv);
  assert.equal(r.help, false);
  if (r.help) throw new Error('unreachable');
  return r;
}

test('long, short, inline and repeated options and positionals parse to typed values', () => {
  const r = parsed(['in.json', '-o', 'a.png', '--seed=7', '--model', 'x', '--model=y', '--quiet']);
  assert.deepEqual(r.positionals, ['in.json']);
  assert.equal(r.values.output, 'a.png');
  assert.equal(r.values.seed, '7');
  assert.deepEqual(r.values.model, ['x', 'y']);
  assert.equal(r.values.quiet, true);
  const d = parsed(['in.json']);
  assert.equal(d.values.output, undefined);
  assert.equal(d.values.quiet, false);
  assert.deepEqual(d.values.model, []);
  assert.deepEqual(parsed(['--', '-weird.json']).positionals, ['-weird.json']);
});

test('a negative number is a value, not an option: --seed -1 reaches the option check', () => {
  assert.equal(parsed(['in.json', '--seed', '-1']).values.seed, '-1');
  assert.equal(parsed(['in.json', '-o', '-']).values.output, '-');
});

test('-h and --help anywhere ask for help, even with otherwise wrong arguments', () => {
  assert.deepEqual(parseCommand(SPEC, ['--help']), { help: true });
  assert.deepEqual(parseCommand(SPEC, ['a', 'b', '-h']), { help: true });
});

test('errors name the option and how to fix it', () => {
  const fails = (argv: string[], re: RegExp) =>
    assert.throws(
      () => parseCommand(SPEC, argv),
      (e: Error) => e instanceof ArgsError && re.test(e.message),
    );
  fails(
    ['in.json', '--sed', '3'],
    /unknown option --sed for contextgen frob \(did you mean --seed\?\)/,
  );
  fails(
    ['in.json', '--zzzzzz'],
    /unknown option --zzzzzz for contextgen frob; run `contextgen frob --help`/,
  );
  fails(['in.json', '-x'], /unknown option -x/);
  fails(['in.json', '--seed'], /--seed needs a value \(N\)/);
  fails(
    ['in.json', '-o', '--quiet'],
    /-o\/--output needs a value \(FILE\), got the option --quiet/,
  );
  fails(['in.json', '--quiet=yes'], /--quiet is a switch and takes no value/);
  fails([], /contextgen frob takes one file, got none/);
  fails(['a', 'b'], /takes one file, got "a" "b"/);
});

test('the usage text lists every option with its value name, and -h', () => {
  const text = commandUsage(SPEC);
  assert.match(text, /^Usage: contextgen frob <file> -o out.png \[options\]\n {2}frobs a file/);
  assert.match(text, /-o, --output FILE +where to write/);
  assert.match(text, /--model DIR +a model \(repeatable\)/);
  assert.match(text, /-h, --help +show this help and exit/);
  assert.match(text, /Exit codes: 0 done\.$/);
});

test('subcommands: help, missing and unknown ones', () => {
  const group = {
    name: 'contextgen thing',
    summary: 'things',
    commands: [
      { word: 'make', spec: { ...SPEC, summary: 'make one' } },
      { word: 'show', spec: { ...SPEC, summary: 'show one' } },
    ],
  };
  assert.deepEqual(chooseSubcommand(group, ['-h']), { help: true });
  assert.deepEqual(chooseSubcommand(group, ['show', '--x']), {
    help: false,
    word: 'show',
    rest: ['--x'],
  });
  assert.throws(() => chooseSubcommand(group, []), /contextgen thing needs a command: make, show/);
  assert.throws(() => chooseSubcommand(group, ['mak']), /unknown command "mak".*make, show/);
  assert.match(groupUsage(group), /Commands:\n {2}make +make one\n {2}show +show one/);
});

test('number and choice values are checked against their range', () => {
  assert.equal(parseIntegerArg('--n', '12', 1, 20), 12);
  assert.throws(
    () => parseIntegerArg('--n', '1.5', 1, 20),
    /--n must be a whole number in 1..20, got "1.5"/,
  );
  assert.throws(() => parseIntegerArg('--n', '', 1, 20), /got ""/);
  assert.throws(() => parseIntegerArg('--n', '0', 1, Infinity), /in 1 or more/);
  assert.equal(parseNumberArg('--g', '2.5', 0, 30), 2.5);
  assert.throws(() => parseNumberArg('--g', 'abc', 0, 30), /--g must be a number in 0..30/);
  assert.equal(parseChoiceArg('--split', 'train', ['train', 'heldout']), 'train');
  assert.throws(
    () => parseChoiceArg('--split', 'x', ['train', 'heldout']),
    /one of train, heldout/,
  );
});
