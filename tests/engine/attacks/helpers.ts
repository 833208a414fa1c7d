/**
 * Shared test options: every registry attack with a small budget (few steps / queries), so the
 * invariant tests stay fast.
 */
import { ATTACKS, type AttackName } from '@/engine/attacks/registry';

/** Options of `name` with radius `eps` and a small iteration budget; `seed` where it applies. */
export function smallOptions(name: AttackName, eps: number, seed = 0): Record<string, unknown> {
  const e = ATTACKS[name];
  const o: Record<string, unknown> = { ...e.defaults('fashion-mnist'), eps };
  const radius = eps > 0 ? eps : 0.1; // step sizes must be > 0 even for ε = 0
  if ('stepSize' in o) o.stepSize = name === 'fgsm-rs' ? 1.25 * radius : radius / 4;
  if ('steps' in o) o.steps = 8;
  if ('nQueries' in o) o.nQueries = 60;
  if ('restarts' in o) o.restarts = 2;
  if ('seed' in o) o.seed = seed;
  return o;
}

/** Whether the attack draws random numbers (so a different seed should give another x'). */
export function isRandomized(name: AttackName): boolean {
  return ATTACKS[name].options.some((f) => f.name === 'seed');
}
