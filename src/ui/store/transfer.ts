/**
 * State of the Transfer benchmark view: the form (criteria, sparsities as percentages, attacks,
 * ε, test images), the running job's progress, and the last report from the worker's
 * `transferBenchmark` (Vora et al. 2023, arXiv 2308.08160: attacks crafted once on the dense
 * base model, applied to its pruned versions).
 */
import { create } from 'zustand';
import type { Criterion, Progress, TransferResult } from '../../workers/protocol';
import { attackRequest, validEps, type UiAttackName } from '../lib/attacks';
import { parseSparsities } from '../lib/transfer-matrix';
import { callback, errorMessage, getEngine } from '../engine-client';
import { latest } from '../lib/latest';
import { useCore } from './core';

/** Most test images one benchmark may use. */
export const MAX_TRANSFER_N = 10000;

export interface TransferState {
  criteria: Criterion[];
  /** percentages, as typed */
  sparsities: string;
  attacks: UiAttackName[];
  /** L∞ radius, pixel units; null: the dataset's budget */
  eps: number | null;
  n: number;
  running: boolean;
  progress: Progress | null;
  report: TransferResult | null;
  setCriteria(criteria: Criterion[]): void;
  setSparsities(text: string): void;
  setAttacks(attacks: UiAttackName[]): void;
  setEps(eps: number | null): void;
  setN(n: number): void;
  /** validate the form and run the benchmark (eps: the ε to use) */
  run(eps: number): Promise<void>;
  /** stop the running job in the worker (its call alone) */
  cancel(): void;
}

/** Why the form cannot run, or null when it can. */
export function formProblem(s: TransferState, eps: number): string | null {
  if (s.criteria.length === 0) return 'choose at least one pruning criterion';
  if (s.attacks.length === 0) return 'choose at least one attack';
  const sp = parseSparsities(s.sparsities);
  if (typeof sp === 'string') return sp;
  if (!validEps(eps)) return `ε must be a number in (0, 1], got ${eps}`;
  if (!Number.isInteger(s.n) || s.n < 1 || s.n > MAX_TRANSFER_N)
    return `test images must be an integer from 1 to ${MAX_TRANSFER_N}`;
  return null;
}

/** the running benchmark (latest wins, lib/latest.ts): Cancel aborts its call alone */
const benchmark = latest('transfer', (id) => getEngine().abort(id));

export const useTransfer = create<TransferState>()((set, get) => ({
  criteria: ['anomaly-activation', 'magnitude', 'random'],
  sparsities: '50, 80, 90, 95',
  attacks: ['fgsm', 'pgd-linf'],
  eps: null,
  n: 200,
  running: false,
  progress: null,
  report: null,

  setCriteria: (criteria) => set({ criteria }),
  setSparsities: (sparsities) => set({ sparsities }),
  setAttacks: (attacks) => set({ attacks }),
  setEps: (eps) => set({ eps }),
  setN: (n) => set({ n }),

  async run(eps) {
    const s = get();
    const core = useCore.getState();
    if (s.running) return;
    const problem = formProblem(s, eps);
    if (problem) {
      core.setError(problem);
      return;
    }
    const sparsities = parseSparsities(s.sparsities) as number[];
    set({ running: true, progress: { stage: 'starting', done: 0, total: 1 } });
    core.setActivity('transfer benchmark: crafting on the dense model…');
    const req = benchmark.begin();
    try {
      const report = await req.call((t) =>
        getEngine().transferBenchmark(
          {
            criteria: s.criteria,
            sparsities,
            attacks: s.attacks.map((a) => attackRequest(a, eps)),
            n: s.n,
          },
          callback((p: Progress) => {
            if (req.live()) set({ progress: p });
          }),
          t,
        ),
      );
      if (req.live()) set({ report });
    } catch (e) {
      // a cancellation the user asked for is not an error
      if (req.live()) useCore.getState().setError(errorMessage(e));
    } finally {
      req.end();
      set({ running: false, progress: null });
      useCore.getState().setActivity('');
    }
  },

  cancel() {
    if (get().running) benchmark.abort();
  },
}));
