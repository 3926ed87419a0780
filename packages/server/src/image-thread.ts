/** An image thread: decodes uploads and makes their cutouts (uploads.ts) off the main thread. */
import { serveTasks } from './threads/serve-tasks.ts';
import { processImage } from './uploads.ts';
import type { ImageTask } from './image-pool.ts';

serveTasks(async (task) => {
  const t = task as ImageTask;
  return { result: await processImage(t.bytes, t.name, t.format, t.limits, t.cutout) };
});
