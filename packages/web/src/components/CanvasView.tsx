/**
 * The canvas: boxes to drag and resize (snapping to grid and edges), drop target for
 * references and image files. It scales to the width it has; the selected box's handles are
 * drawn above every box, so they always grab the selected box.
 */
import {
  useEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from 'react';
import {
  boxHeight,
  boxWidth,
  moveBox,
  paintOrder,
  resizeBox,
  snapEdges,
  snapMovedBox,
  snapResizedBox,
  type CanvasBox,
  type EditorState,
  type Handle,
  type Instance,
} from '@contextgen/editor';
import { withToken } from '../api.ts';
import { editor } from '../store.ts';
import { LayoutPreview } from './LayoutPreview.tsx';

const HANDLES: Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];
const MAX_VIEW = 560;
const MIN_VIEW = 200;

/** Leaves any text field, so keys act on the canvas (Delete, arrows) and not on the text. */
function leaveTextField(): void {
  const el = document.activeElement as HTMLElement | null;
  if (el && el !== document.body && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) el.blur();
}

/** The width the canvas may take: its wrapper's, followed as the window resizes. */
function useAvailableWidth(ref: RefObject<HTMLDivElement | null>): number {
  const [w, setW] = useState(MAX_VIEW);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    setW(el.clientWidth);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}

interface Drag {
  readonly id: string;
  readonly handle?: Handle;
  readonly startBox: CanvasBox;
  readonly startX: number;
  readonly startY: number;
}

export function CanvasView({
  state,
  onFiles,
}: {
  state: EditorState;
  onFiles: (files: FileList) => Promise<void>;
}) {
  const { width, height } = state.settings;
  const wrap = useRef<HTMLDivElement>(null);
  const view = Math.max(MIN_VIEW, Math.min(MAX_VIEW, useAvailableWidth(wrap) - 2));
  const scale = Math.min(view / width, MAX_VIEW / height);
  const drag = useRef<Drag | null>(null);
  const surface = useRef<HTMLDivElement>(null);
  const canvas = { width, height };
  const assets = new Map(state.assets.map((a) => [a.id, a]));

  function toCanvas(e: { clientX: number; clientY: number }) {
    const r = surface.current!.getBoundingClientRect();
    return { x: (e.clientX - r.left) / scale, y: (e.clientY - r.top) / scale };
  }

  function snapOptions(id: string) {
    const edges = state.view.snapToEdges
      ? snapEdges(state.instances, id, canvas)
      : { xEdges: [], yEdges: [] };
    return {
      grid: state.view.snapToGrid ? state.view.grid : 0,
      ...edges,
      threshold: Math.max(1, 8 / scale),
    };
  }

  function start(e: ReactPointerEvent, inst: Instance, handle?: Handle) {
    e.stopPropagation();
    e.preventDefault();
    leaveTextField();
    (e.target as Element).setPointerCapture(e.pointerId);
    const ids = e.shiftKey
      ? [...new Set([...state.selection, inst.id])]
      : state.selection.includes(inst.id)
        ? state.selection
        : [inst.id];
    editor.dispatch('select', { ids });
    const p = toCanvas(e);
    drag.current = { id: inst.id, handle, startBox: inst.box, startX: p.x, startY: p.y };
  }

  function move(e: ReactPointerEvent) {
    const d = drag.current;
    if (!d) return;
    const p = toCanvas(e);
    const inst = state.instances.find((i) => i.id === d.id);
    if (!inst) return;
    let box: CanvasBox;
    if (d.handle) {
      const aspect = inst.aspectLocked ? boxWidth(d.startBox) / boxHeight(d.startBox) : undefined;
      box = resizeBox(d.startBox, d.handle, p, canvas, aspect);
      if (!aspect) box = snapResizedBox(box, d.handle, snapOptions(d.id));
    } else {
      box = snapMovedBox(
        moveBox(d.startBox, p.x - d.startX, p.y - d.startY, canvas),
        snapOptions(d.id),
        canvas,
      );
    }
    editor.dispatch('setBox', { id: d.id, box });
  }

  function end() {
    if (drag.current) editor.commit();
    drag.current = null;
  }

  return (
    <div className="canvas-wrap" ref={wrap}>
      <div
        ref={surface}
        className="canvas checker"
        data-testid="canvas"
        style={{ width: width * scale, height: height * scale }}
        onPointerDown={() => {
          leaveTextField();
          editor.dispatch('clearSelection');
        }}
        onDragOver={(e) => {
          const t = e.dataTransfer.types;
          if (t.includes('application/x-contextgen-asset') || t.includes('Files'))
            e.preventDefault();
        }}
        onDrop={(e) => {
          if (e.dataTransfer.files.length > 0) {
            // image files dropped here are uploaded like the library's, never opened by the tab
            e.preventDefault();
            void onFiles(e.dataTransfer.files);
            return;
          }
          const assetId = e.dataTransfer.getData('application/x-contextgen-asset');
          const asset = assets.get(assetId);
          if (!asset) return;
          e.preventDefault();
          const p = toCanvas(e);
          const side = Math.min(width, height) / 2;
          const aspect = asset.width / asset.height;
          const w = aspect >= 1 ? side : side * aspect;
          const h = aspect >= 1 ? side / aspect : side;
          editor.dispatch('addInstance', {
            assetId,
            box: { x1: p.x - w / 2, y1: p.y - h / 2, x2: p.x + w / 2, y2: p.y + h / 2 },
          });
        }}
      >
        {state.view.showLayout && <LayoutPreview state={state} />}
        {state.instances.length === 0 && (
          <p className="canvas-empty">
            Place a reference here: “Place” in the library, or drag its picture onto the canvas.
          </p>
        )}
        {paintOrder(state.instances).map((inst) => {
          const asset = inst.assetId ? assets.get(inst.assetId) : undefined;
          const selected = state.selection.includes(inst.id);
          const src = asset?.cutoutSrc ?? asset?.src;
          return (
            <div
              key={inst.id}
              className={
                'box' + (selected ? ' selected' : '') + (state.view.showBoxes ? ' outlined' : '')
              }
              data-testid="box"
              data-id={inst.id}
              style={{
                left: inst.box.x1 * scale,
                top: inst.box.y1 * scale,
                width: boxWidth(inst.box) * scale,
                height: boxHeight(inst.box) * scale,
              }}
              onPointerDown={(e) => start(e, inst)}
              onPointerMove={move}
              onPointerUp={end}
              onPointerCancel={end}
            >
              {!state.view.showLayout && src && (
                <img src={withToken(src)} alt="" draggable={false} />
              )}
              {state.view.showBoxes && (
                <span className="box-label">{inst.phrase || asset?.name || 'box'}</span>
              )}
            </div>
          );
        })}
        {state.instances
          .filter((i) => state.selection.includes(i.id))
          .map((inst) => (
            <div
              key={inst.id}
              className="handles"
              data-testid="handles"
              style={{
                left: inst.box.x1 * scale,
                top: inst.box.y1 * scale,
                width: boxWidth(inst.box) * scale,
                height: boxHeight(inst.box) * scale,
              }}
            >
              {HANDLES.map((h) => (
                <span
                  key={h}
                  className={`handle h-${h}`}
                  data-handle={h}
                  onPointerDown={(e) => start(e, inst, h)}
                  onPointerMove={move}
                  onPointerUp={end}
                  onPointerCancel={end}
                />
              ))}
            </div>
          ))}
      </div>
      <div className="canvas-caption">
        {width}×{height} px · {state.instances.length} box{state.instances.length === 1 ? '' : 'es'}{' '}
        · drag to move, handles to resize, Shift-click to add to the selection
      </div>
    </div>
  );
}
