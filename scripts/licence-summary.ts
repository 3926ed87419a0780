/**
 * `npx tsx scripts/licence-summary.ts`: the licences of the runtime (non-development) npm
 * packages in package-lock.json, counted, for THIRD-PARTY-NOTICES.md.
 */
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  license?: string;
  dev?: boolean;
  link?: boolean;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const byLicence = new Map<string, Set<string>>();
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
  const name = path.replace(/.*node_modules\//, '');
  let licence = entry.license;
  if (licence === undefined) {
    try {
      licence = (JSON.parse(readFileSync(`${path}/package.json`, 'utf8')) as LockEntry).license;
    } catch {
      // not installed on this platform (an optional binary): the lock file has no licence field
    }
  }
  const key = licence ?? 'UNKNOWN';
  if (!byLicence.has(key)) byLicence.set(key, new Set());
  byLicence.get(key)!.add(`${name}@${entry.version ?? '?'}`);
}
const total = [...byLicence.values()].reduce((n, s) => n + s.size, 0);
console.log(`${total} runtime packages`);
for (const [licence, names] of [...byLicence].sort((a, b) => b[1].size - a[1].size)) {
  console.log(`${licence}\t${names.size}\t${licence === 'MIT' ? '' : [...names].join(', ')}`);
}
