/** @contextgen/core: isomorphic request, layout, token plan, masks, schedule, sampler and pipeline. */
export * from './types.ts';
export * from './manifest.ts';
export * from './executor.ts';
export * from './request.ts';
export * from './image-ops.ts';
export * from './layout.ts';
export * from './token-plan.ts';
export * from './attention-rule.ts';
export * from './dense-mask.ts';
export * from './reference.ts';
export * from './tokenizer.ts';
export * from './schedule.ts';
export * from './noise.ts';
export * from './sampler.ts';
export * from './patchify.ts';
export * from './pipeline.ts';
export * from './debug-tokens.ts';
