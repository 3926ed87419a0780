/**
 * A number field that changes the document only when the user is done: on Enter or when
 * focus leaves it (Escape puts the current value back). Typing "128" is one change, not
 * three (1, 12, 128).
 */
import { useState } from 'react';

export function CommitField({
  label,
  value,
  onCommit,
  testId,
  min,
  max,
  step,
}: {
  label: string;
  value: number;
  onCommit: (v: number) => void;
  testId?: string;
  min?: number;
  max?: number;
  step?: number;
}) {
  const [text, setText] = useState(String(value));
  const [editing, setEditing] = useState(false);
  const commit = () => {
    if (!editing) return;
    setEditing(false);
    const v = Number(text);
    if (text.trim() !== '' && Number.isFinite(v) && v !== value) onCommit(v);
  };
  return (
    <label className="field small">
      {label}
      <input
        type="number"
        data-testid={testId}
        min={min}
        max={max}
        step={step}
        value={editing ? text : String(value)}
        onFocus={() => {
          setText(String(value));
          setEditing(true);
        }}
        onChange={(e) => {
          setEditing(true);
          setText(e.target.value);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          } else if (e.key === 'Escape') setEditing(false);
        }}
      />
    </label>
  );
}
