/**
 * The `-o` check every writing command does BEFORE its work: a .png name whose folder exists
 * (or is created now) and accepts a new file, so a long generation never ends in "cannot write".
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** A folder or path that cannot receive the output file. */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
}

/**
 * Check (and create the folder of) an output PNG path; returns the absolute path.
 * @throws UsageError when the name does not end in .png; OutputFileError when the folder
 *   cannot be created or written, or the path is a folder
 */
export async function prepareOutputPng(output: string, option = '-o'): Promise<string> {
  if (extname(output).toLowerCase() !== '.png') {
    throw new UsageError(
      `${option} ${output}: the output is written as PNG; give a file name ending in .png`,
    );
  }
  const abs = resolve(output);
  const dir = dirname(abs);
  const fail = (why: string): never => {
    throw new OutputFileError(
      `${option} ${output}: ${why}; nothing was generated. Choose an output path in a folder you can write to.`,
    );
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    fail(`cannot create the folder ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const existing = await stat(abs).catch(() => null);
  if (existing?.isDirectory()) fail(`${abs} is a folder, not a file`);
  // Probe with a real file: permission bits alone miss read-only mounts, ACLs and full disks.
  const probe = join(dir, `.contextgen-write-check-${process.pid}-${Date.now()}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (err) {
    fail(
      `the folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  } finally {
    await rm(probe, { force: true });
  }
  return abs;
}
