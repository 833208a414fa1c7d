/**
 * A shared queue of canvas drawing jobs, run in requestAnimationFrame callbacks with a time budget
 * per frame (~8 ms), so a view with hundreds of small canvases (every channel of every layer)
 * paints progressively and never blocks the main thread for long.
 */

type Job = () => void;

/** Milliseconds of drawing per animation frame. */
const FRAME_BUDGET_MS = 8;

const queue = new Set<Job>();
let scheduled = false;

function run(): void {
  scheduled = false;
  const t0 = performance.now();
  for (const job of queue) {
    queue.delete(job);
    job();
    if (performance.now() - t0 > FRAME_BUDGET_MS) break;
  }
  if (queue.size > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(run);
}

/** Queue `job` for a coming frame; returns a function that cancels it if it has not run yet. */
export function queueDraw(job: Job): () => void {
  queue.add(job);
  schedule();
  return () => {
    queue.delete(job);
  };
}
