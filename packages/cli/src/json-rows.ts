/**
 * JSON text where every array of numbers sits on one line (so a dense mask prints one row per
 * line) and everything else is indented. Parses back to the same value.
 */
export function jsonRows(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return `[${value.join(',')}]`;
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + jsonRows(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonRows(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
