/**
 * An independent dense mask builder written straight from DESIGN 4's table, segment by
 * segment, WITHOUT the descriptor rule or the token plan. Used only by tests and by
 * scripts/gen-golden.ts, so the golden vectors check planTokens + allowed against a second
 * reading of the design.
 */
import type { PlanInput } from './token-plan.ts';

interface Range {
  readonly start: number;
  readonly end: number;
}

/** The expected golden output (CONTRACTS section 2) for a plan input. */
export interface DenseReference {
  readonly seg: number[];
  readonly inst: number[];
  readonly cover: number[];
  readonly valid: number[];
  readonly pos: [number, number, number][];
  readonly cla: string[];
  readonly ica: string[];
}

/** Build descriptors, positions and both masks by direct segment loops. */
export function denseReference(input: PlanInput): DenseReference {
  const P = input.tokenSize;
  const Hm = input.height / P;
  const Wm = input.width / P;
  const K = input.boxes.length;

  // Lay out the sequence by hand.
  let n = 0;
  const text: Range = { start: 0, end: (n += input.textTokens) };
  const phrase: (Range | null)[] = [];
  for (let j = 0; j < K; j++) {
    const len = input.phraseTokens[j]!;
    phrase.push(len > 0 ? { start: n, end: (n += len) } : null);
  }
  const main: Range = { start: n, end: (n += Hm * Wm) };
  const layout: Range = { start: n, end: (n += Hm * Wm) };
  const ref: (Range | null)[] = [];
  for (let j = 0; j < K; j++) {
    const g = input.refGrids[j];
    ref.push(g ? { start: n, end: (n += g.h * g.w) } : null);
  }

  const seg = new Array<number>(n).fill(-1);
  const inst = new Array<number>(n).fill(-1);
  const cover = new Array<number>(n).fill(0);
  const valid = new Array<number>(n).fill(1);
  const pos = Array.from({ length: n }, () => [0, 0, 0] as [number, number, number]);

  for (let i = text.start; i < text.end; i++) seg[i] = 0;
  phrase.forEach((r, j) => {
    if (r) for (let i = r.start; i < r.end; i++) [seg[i], inst[i]] = [1, j];
  });
  for (let ty = 0; ty < Hm; ty++) {
    for (let tx = 0; tx < Wm; tx++) {
      const m = main.start + ty * Wm + tx;
      const l = layout.start + ty * Wm + tx;
      seg[m] = 2;
      seg[l] = 3;
      pos[m] = [0, ty, tx];
      pos[l] = [1, ty, tx];
    }
  }
  // Which main tokens each box covers, as a set of sequence indices.
  const covered: Set<number>[] = input.boxes.map(([x1, y1, x2, y2]) => {
    const s = new Set<number>();
    for (let ty = 0; ty < Hm; ty++) {
      for (let tx = 0; tx < Wm; tx++) {
        if (
          Math.floor(x1 / P) <= tx &&
          tx < Math.ceil(x2 / P) &&
          Math.floor(y1 / P) <= ty &&
          ty < Math.ceil(y2 / P)
        ) {
          s.add(main.start + ty * Wm + tx);
        }
      }
    }
    return s;
  });
  covered.forEach((s, j) => s.forEach((i) => (cover[i] = cover[i]! + 2 ** j)));
  let X = Wm;
  let Y = Hm;
  const validRef: Set<number>[] = [];
  ref.forEach((r, j) => {
    const s = new Set<number>();
    validRef.push(s);
    if (!r) return;
    const g = input.refGrids[j]!;
    for (let y = 0; y < g.h; y++) {
      for (let x = 0; x < g.w; x++) {
        const i = r.start + y * g.w + x;
        seg[i] = 4;
        inst[i] = j;
        pos[i] = [1, Y + y, X + x];
        valid[i] = g.valid[y * g.w + x] ? 1 : 0;
        if (valid[i]) s.add(i);
      }
    }
    X += g.w;
    Y += g.h;
  });

  const build = (ica: boolean): string[] => {
    const rows: string[] = [];
    const row = (): number[] => new Array<number>(n).fill(0);
    const setRange = (r: number[], range: Range | null): void => {
      if (range) for (let k = range.start; k < range.end; k++) r[k] = 1;
    };
    const imageCtx = (r: number[]): void => {
      setRange(r, text);
      setRange(r, main);
      setRange(r, layout);
    };
    // text rows
    for (let q = text.start; q < text.end; q++) {
      const r = row();
      imageCtx(r);
      rows[q] = r.join('');
    }
    // phrase_j rows read phrase_j only
    phrase.forEach((p) => {
      if (!p) return;
      for (let q = p.start; q < p.end; q++) {
        const r = row();
        setRange(r, p);
        rows[q] = r.join('');
      }
    });
    // main rows
    for (let q = main.start; q < main.end; q++) {
      const r = row();
      imageCtx(r);
      for (let j = 0; j < K; j++) {
        if (!covered[j]!.has(q)) continue;
        setRange(r, phrase[j]!);
        if (ica) validRef[j]!.forEach((k) => (r[k] = 1));
      }
      rows[q] = r.join('');
    }
    // layout rows
    for (let q = layout.start; q < layout.end; q++) {
      const r = row();
      imageCtx(r);
      rows[q] = r.join('');
    }
    // ref_j rows: text and valid ref_j
    ref.forEach((rr, j) => {
      if (!rr) return;
      for (let q = rr.start; q < rr.end; q++) {
        const r = row();
        setRange(r, text);
        validRef[j]!.forEach((k) => (r[k] = 1));
        rows[q] = r.join('');
      }
    });
    return rows;
  };

  return { seg, inst, cover, valid, pos, cla: build(false), ica: build(true) };
}
