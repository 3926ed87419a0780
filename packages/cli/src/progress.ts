/** A cli-progress bar on stderr for sampling steps (silent when stderr is not a terminal). */
import cliProgress from 'cli-progress';
import type { SamplerProgress } from '@contextgen/core';

export interface StepBar {
  update(p: SamplerProgress): void;
  stop(): void;
}

export function stepBar(label: string, total: number): StepBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} steps | {duration_formatted} elapsed | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (p) => bar.update(p.step),
    stop: () => bar.stop(),
  };
}
