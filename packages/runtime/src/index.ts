/**
 * @contextgen/runtime, Node entry: the ONNX Runtime executor on `onnxruntime-node` (CPU),
 * model folder loading and default model resolution. The browser entry is `./web`.
 */
export {
  loadModel,
  missingFiles,
  ModelFolderError,
  readModelInfo,
  type ModelInfo,
  type NodeLoadOptions,
} from './load-model.ts';
export {
  DEFAULT_MODEL,
  findModel,
  HOW_TO_GET_A_MODEL,
  installedModels,
  ModelNotFoundError,
  MODELS_DIR,
  REPO_ROOT,
  type ModelLookup,
} from './find-model.ts';
export { OrtExecutor, type LoadedModel, type ModelSources } from './ort-executor.ts';
export { ModelIoError, REQUIRED_IO } from './io-check.ts';
export { ModelRunError } from './describe-feeds.ts';
export { NODE_DEVICES, WEB_DEVICES, type Device } from './backend.ts';
export { parseVocab } from './vocab.ts';
export {
  DEFAULT_KIND,
  kindOf,
  MODEL_KINDS,
  openGenerator,
  readModelCard,
  UntrainedModelError,
} from './generators/registry.ts';
export type { ModelKind, OpenOptions, ReadCardOptions } from './generators/kind.ts';
export { manifestCard } from './generators/onnx-embedded.ts';
export {
  FLUX_KIND,
  HOW_TO_GET_FLUX,
  isFluxCard,
  MEMORY_PROFILES,
  parseFluxCard,
  PUBLISHED_SEQUENCE,
  type FluxCard,
  type FluxConfig,
  type MemoryProfile,
} from './flux/card.ts';
export { planFluxJob, type FluxJobPlan } from './flux/plan.ts';
export { workerCommand, workerPython } from './flux/generator.ts';
export { WorkerError, WorkerSupervisor, type WorkerCommand } from './flux/worker-process.ts';
export { doctorModel, type DoctorCheck, type DoctorOptions, type DoctorReport } from './doctor.ts';
export { PROFILE_VRAM_GIB } from './flux/doctor.ts';
