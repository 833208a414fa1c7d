/**
 * A rate limit for progress callbacks that cross the worker boundary: at most one event per
 * `intervalMs` (default 100 ms, i.e. ≤ 10 per second) is delivered; events in between are held,
 * the newest replacing older ones, and `flush()` delivers the held one (call it at the end of a
 * run, so the last event always arrives).
 */
export interface Throttle<T> {
  push(event: T): void;
  /** deliver the held event, if any */
  flush(): void;
}

/**
 * @param send the consumer (e.g. a Comlink-proxied callback); never called twice within
 *   `intervalMs` by `push`
 * @param intervalMs minimum milliseconds between two deliveries by `push`, ≥ 0
 * @param now clock in milliseconds (tests inject one)
 */
export function throttle<T>(
  send: (event: T) => void,
  intervalMs = 100,
  now: () => number = () => performance.now(),
): Throttle<T> {
  let last = -Infinity;
  let held: { event: T } | null = null;
  return {
    push(event) {
      const t = now();
      if (t - last >= intervalMs) {
        held = null;
        last = t;
        send(event);
      } else held = { event };
    },
    flush() {
      if (held === null) return;
      const { event } = held;
      held = null;
      last = now();
      send(event);
    },
  };
}
