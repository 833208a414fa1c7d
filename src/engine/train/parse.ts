/**
 * Validation of plain-data training inputs (configs, schedule and optimizer settings) with zod,
 * turning zod's issues into one `TrainError('bad-config')` whose message names the field path,
 * e.g. `bad-config: schedule.milestones.1: expected number ≥ 1`.
 */
import type { z } from 'zod';
import { TrainError } from './errors';

/**
 * Parses `input` with `schema` (filling defaults).
 * @param what prefix for field paths in messages, e.g. 'schedule'
 * @throws TrainError `bad-config` listing every problem found
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = [what, ...i.path.map(String)].filter((p) => p !== '').join('.');
    return `${path}: ${i.message}`;
  });
  throw new TrainError('bad-config', issues.join('; '));
}
