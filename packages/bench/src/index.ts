/** @contextgen/bench: IMIG-Synth-Bench sets, evaluators, metrics, runner and reports. */
export { runBenchCli, BENCH_GROUP, BENCH_USAGE } from './cli.ts';
export { runBench } from './run/runner.ts';
export type { RunOptions, RunSummary } from './run/runner.ts';
export { openGenerator, caseRequest, REFERENCE_ROWS } from './run/generators.ts';
export type { CaseGenerator, Generated } from './run/generators.ts';
export { readAllCases, readRunInfo } from './run/run-folder.ts';
export type { CaseRecord, RunInfo } from './run/run-folder.ts';
export { buildReport, loadRun, writeReport } from './report/report.ts';
export { validateEvaluators, validationMarkdown, CRITERIA } from './validate/validate.ts';
export type { ValidationResult } from './validate/validate.ts';
export { calibrate, writeCalibration, blurredTarget } from './eval/calibrate.ts';
export { IdentityNet, IDENTITY_NET_PATH } from './ident/identity-net.ts';
export { rescoreRun } from './run/rescore.ts';
export { compareRunFolders, comparisonMarkdown, MIN_COMPARE_CASES } from './report/compare.ts';
export {
  bootstrapMetrics,
  compareRuns,
  unpairedDifference,
  CI_METRICS,
  DEFAULT_BOOTSTRAP,
} from './metrics/bootstrap.ts';
export type { Interval, CiMetric, BootstrapOptions, RunComparison } from './metrics/bootstrap.ts';
export { loadCalibration, scoreCase, CALIBRATION_PATH } from './eval/evaluators.ts';
export type { Calibration, CaseImages } from './eval/evaluators.ts';
export {
  metricRow,
  metricTable,
  instanceIou,
  instanceSuccess,
  imageSuccess,
  ISR_IOU,
} from './metrics/metrics.ts';
export type { MetricRow } from './metrics/metrics.ts';
export type { CaseScore, InstanceScore } from './metrics/scores.ts';
export { parseExternalScores, applyExternal, ExternalScoresSchema } from './metrics/external.ts';
export type { ExternalScores } from './metrics/external.ts';
export { loadSet, SETS_DIR } from './sets/set-files.ts';
export { makeSets } from './sets/make-sets.ts';
export { SET_SPECS } from './sets/catalog.ts';
export type { BenchSet, BenchCase } from './sets/bench-set.ts';
export { iou } from './eval/box.ts';
export type { Box } from './eval/box.ts';
