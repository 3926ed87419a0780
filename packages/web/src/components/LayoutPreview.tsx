/** The layout image the model will see, composed in the browser with the core's own algorithm. */
import { useEffect, useRef } from 'react';
import { alphaToMask, composeLayout, type LayoutInstance } from '@contextgen/core';
import { boxToArray, type EditorState } from '@contextgen/editor';
import { drawRgba, loadRgba } from '../images.ts';

export function LayoutPreview({ state }: { state: EditorState }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { width, height } = state.settings;
  useEffect(() => {
    let live = true;
    const assets = new Map(state.assets.map((a) => [a.id, a]));
    void Promise.all(
      state.instances.map(async (inst): Promise<LayoutInstance> => {
        const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
        const src = asset?.cutoutSrc ?? asset?.src;
        const base = { box: boxToArray(inst.box), resize: inst.resize, z: inst.z };
        if (!src) return base;
        const image = await loadRgba(src);
        const mask = alphaToMask(image);
        return { ...base, reference: { image, mask } };
      }),
    ).then((instances) => {
      if (live && ref.current) drawRgba(ref.current, composeLayout(width, height, instances));
    });
    return () => {
      live = false;
    };
  }, [state.instances, state.assets, width, height]);
  return <canvas ref={ref} className="layout-layer" data-testid="layout-preview" />;
}
