/** `bench make-sets`: renders candidates and writes every set of the catalog to bench/sets/. */
import { loadAtlas } from '@contextgen/dataset';
import type { BenchSet } from './bench-set.ts';
import { SET_SPECS } from './catalog.ts';
import { selectCases } from './make-set.ts';
import { CaseRenderer } from './render-case.ts';
import { SETS_DIR, writeSet } from './set-files.ts';

export function makeSets(
  names: readonly string[] = [],
  dir: string = SETS_DIR,
  log: (line: string) => void = () => {},
): string[] {
  const atlas = loadAtlas();
  const specs = names.length ? SET_SPECS.filter((s) => names.includes(s.name)) : SET_SPECS;
  const unknown = names.filter((n) => !SET_SPECS.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(
      `unknown set ${unknown.join(', ')}; the catalog has ${SET_SPECS.map((s) => s.name).join(', ')}`,
    );
  const written: string[] = [];
  for (const spec of specs) {
    const renderer = new CaseRenderer(atlas, spec);
    const cases = selectCases(renderer, spec, spec.levels, spec.maxOccluded);
    const set: BenchSet = {
      format: 'contextgen-bench-set/1',
      name: spec.name,
      description: spec.description,
      identities: spec.identities,
      render: spec.render,
      selection: {
        maxOccluded: spec.maxOccluded,
        script: 'npx tsx packages/bench/src/main.ts make-sets',
      },
      cases,
    };
    const path = writeSet(set, dir);
    log(`${spec.name}: ${cases.length} cases -> ${path}`);
    written.push(path);
  }
  return written;
}
