/** A cli-progress bar on stderr (quiet when stderr is not a terminal, except a final line). */
import cliProgress from 'cli-progress';

export interface Progress {
  increment(): void;
  stop(): void;
}

export function progressBar(label: string, total: number): Progress {
  if (!process.stderr.isTTY) {
    let done = 0;
    let last = Date.now();
    return {
      increment() {
        done++;
        if (Date.now() - last > 10000) {
          last = Date.now();
          process.stderr.write(`${label}: ${done}/${total}\n`);
        }
      },
      stop() {
        process.stderr.write(`${label}: ${done}/${total} done\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted}`,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: () => bar.increment(), stop: () => bar.stop() };
}
