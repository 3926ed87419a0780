/** A problem with an image the user supplied: names the file, what is wrong and the fix. */
export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
  constructor(
    /** The file (or label) the image came from. */
    readonly source: string,
    /** What went wrong, in the user's words, including the fix. */
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}
