/** Short messages at the bottom left that leave by themselves (or on click). */
import { useCallback, useEffect, useRef, useState } from 'react';

/** How long a message stays, in ms: long enough to read two lines. */
export const TOAST_MS = 6000;

export function useToasts() {
  const [items, setItems] = useState<string[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const remove = useCallback((m: string) => {
    clearTimeout(timers.current.get(m));
    timers.current.delete(m);
    setItems((ms) => ms.filter((x) => x !== m));
  }, []);
  const add = useCallback(
    (m: string) => {
      setItems((ms) => [...ms.filter((x) => x !== m), m].slice(-4));
      clearTimeout(timers.current.get(m));
      timers.current.set(
        m,
        setTimeout(() => remove(m), TOAST_MS),
      );
    },
    [remove],
  );
  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => clearTimeout(t));
  }, []);
  return { items, add, remove };
}
