/** @contextgen/imaging: image decode/encode (sharp) and reference cutouts. Node only. */
export { ImageInputError } from './errors.ts';
export {
  DEFAULT_IMAGE_LIMITS,
  SUPPORTED_INPUT_FORMATS,
  type ImageLimits,
  type InputFormat,
} from './limits.ts';
export { decodeImageBuffer, decodeImageFile, type DecodedImage } from './decode.ts';
export { encodePng, writePng } from './encode.ts';
export {
  autoCutout,
  DEFAULT_CUTOUT_OPTIONS,
  type CutoutOptions,
  type CutoutResult,
} from './cutout.ts';
export { loadMattingModel, type MattingModel, type MattingOptions } from './matting.ts';
export {
  backendModelPath,
  installCommand,
  isBackendInstalled,
  isMattingBackendId,
  listMattingBackends,
  loadMattingBackend,
  MATTING_BACKEND_IDS,
  MATTING_BACKENDS,
  mattingDir,
  notInstalledReason,
  type BackendStatus,
  type MattingBackendId,
  type MattingBackendSpec,
} from './matting-backends.ts';
export {
  autoBackend,
  CUTOUT_CHOICES,
  CUTOUT_OPTION_HELP,
  heuristicFix,
  lazyMatting,
  loadCutoutMatting,
  parseCutoutChoice,
  resolveCutoutChoice,
  type CutoutChoice,
} from './cutout-choice.ts';
export {
  checkCutoutMask,
  DEFAULT_MASK_CHECKS,
  holeFraction,
  touchedBorders,
  type MaskCheck,
  type MaskCheckCode,
  type MaskCheckOptions,
} from './mask-checks.ts';
export {
  alphaMask,
  loadReference,
  maskArea,
  maskFromImage,
  makeReference,
  type LoadedReference,
  type MaskSource,
  type ReferenceOptions,
  type ReferenceParts,
} from './reference.ts';
