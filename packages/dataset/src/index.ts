/** @contextgen/dataset: the IMIG-Synth world (DESIGN 7) and its shard format (CONTRACTS 5). */
export { buildDataset } from './build.ts';
export type { BuildOptions, BuildResult } from './build.ts';
export { runDatasetCli, DATASET_GROUP, DATASET_USAGE } from './cli.ts';
export type { CliOptions } from './cli.ts';
export { writePreview, contactSheet, readRecords } from './preview.ts';
export { renderSample } from './sample.ts';
export { mix32 } from './rng.ts';
export { LAYOUT_EMPTY } from './sample.ts';
export type { Sample, SampleInstance, RenderContext, Box } from './sample.ts';
export { encodeRecord, decodeRecord, decodeShard, shardFileName, DATASET_FORMAT } from './shard.ts';
export type { DatasetMeta, RecordHeader, DecodedRecord, ShardEntry } from './shard.ts';
export {
  loadAtlas,
  buildAtlasFromPackage,
  writeAtlasFile,
  defaultAtlasPath,
} from './atlas-file.ts';
export type { Atlas } from './atlas.ts';
export { atlasImage } from './atlas.ts';
export { selectIdentities } from './identities.ts';
export type { Identity } from './identities.ts';
export { chooseHeldout, splitIdentityIndices } from './heldout.ts';
export type { Split } from './heldout.ts';
export { SCENES } from './scenes.ts';
export { captionVocabulary, makeCaption } from './caption.ts';
