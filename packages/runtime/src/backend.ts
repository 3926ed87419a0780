/**
 * Device names -> ONNX Runtime execution providers, one table per runtime. The only place
 * that knows which providers exist.
 */

export type NodeDevice = 'cpu';
export type WebDevice = 'wasm' | 'webgpu' | 'webnn';
export type Device = NodeDevice | WebDevice;

const NODE_PROVIDERS: Record<NodeDevice, string[]> = { cpu: ['cpu'] };
// Web: accelerated providers fall back to wasm for operators they lack.
const WEB_PROVIDERS: Record<WebDevice, string[]> = {
  wasm: ['wasm'],
  webgpu: ['webgpu', 'wasm'],
  webnn: ['webnn', 'wasm'],
};

export const NODE_DEVICES = Object.keys(NODE_PROVIDERS) as NodeDevice[];
export const WEB_DEVICES = Object.keys(WEB_PROVIDERS) as WebDevice[];

function lookup<D extends string>(
  table: Record<D, string[]>,
  device: string,
  runtime: string,
): string[] {
  const providers = (table as Record<string, string[] | undefined>)[device];
  if (providers === undefined) {
    throw new Error(
      `unknown device "${device}" for ${runtime}; use one of: ${Object.keys(table).join(', ')}`,
    );
  }
  return [...providers];
}

/** Execution providers for `onnxruntime-node`. */
export function nodeExecutionProviders(device: string): string[] {
  return lookup(NODE_PROVIDERS, device, 'onnxruntime-node');
}

/** Execution providers for `onnxruntime-web`. */
export function webExecutionProviders(device: string): string[] {
  return lookup(WEB_PROVIDERS, device, 'onnxruntime-web');
}
