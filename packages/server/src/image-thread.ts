/** An image thread: decodes uploads and makes their cutouts (uploads.ts) off the main thread. */
import type { CutoutChoice } from '@contextgen/imaging';
import { createCutouts, type Cutouts } from './cutouts.ts';
import { serveTasks } from './threads/serve-tasks.ts';
import { processImage } from './uploads.ts';
import type { ImageTask } from './image-pool.ts';

/** This thread's matting backends, one set per default choice; models load on first use. */
const cutoutsByChoice = new Map<CutoutChoice, Cutouts>();

function cutoutsFor(choice: CutoutChoice = 'auto'): Cutouts {
  let c = cutoutsByChoice.get(choice);
  if (!c) cutoutsByChoice.set(choice, (c = createCutouts(choice)));
  return c;
}

serveTasks(async (task) => {
  const t = task as ImageTask;
  return {
    result: await processImage(
      t.bytes,
      t.name,
      t.format,
      t.limits,
      t.cutout,
      cutoutsFor(t.cutoutDefault),
    ),
  };
});
