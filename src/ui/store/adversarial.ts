/**
 * State of the Adversarial examples view: the attack, its L∞ radius ε and the number of test
 * images, and the last generated examples (plain data from the worker), tagged with the model
 * version they were made for so the view can regenerate them after the weights change.
 */
import { create } from 'zustand';
import type { AdversarialExample } from '../../workers/protocol';
import { attackRequest, validEps, type UiAttackName } from '../lib/attacks';
import { errorMessage, getEngine } from '../engine-client';
import { useCore } from './core';

/** Most examples one request may ask for (each is drawn as three small canvases). */
export const MAX_EXAMPLES = 48;

export interface AdversarialState {
  attack: UiAttackName;
  /** L∞ radius in pixel units; null until the user sets one (the dataset's budget applies) */
  eps: number | null;
  /** how many test images, 1..MAX_EXAMPLES */
  count: number;
  examples: AdversarialExample[];
  /** the attack and ε the shown examples were made with */
  made: { attack: UiAttackName; eps: number; modelVersion: number } | null;
  running: boolean;
  /** the model version of the last request, successful or not (−1 before the first) */
  triedFor: number;
  setAttack(attack: UiAttackName): void;
  setEps(eps: number | null): void;
  setCount(count: number): void;
  /** craft `count` examples with the chosen attack at radius `eps` */
  generate(eps: number): Promise<void>;
}

export const useAdversarial = create<AdversarialState>()((set, get) => ({
  attack: 'pgd-linf',
  eps: null,
  count: 12,
  examples: [],
  made: null,
  running: false,
  triedFor: -1,

  setAttack(attack) {
    set({ attack });
  },
  setEps(eps) {
    set({ eps });
  },
  setCount(count) {
    set({ count });
  },

  async generate(eps) {
    const { attack, count, running } = get();
    const core = useCore.getState();
    if (running) return;
    set({ triedFor: core.modelVersion });
    if (!validEps(eps)) {
      core.setError(`ε must be a number in (0, 1], got ${eps}`);
      return;
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_EXAMPLES) {
      core.setError(`the number of examples must be an integer from 1 to ${MAX_EXAMPLES}`);
      return;
    }
    const modelVersion = core.modelVersion;
    set({ running: true });
    core.setActivity(`crafting ${count} adversarial examples (${attack}, ε ${eps})…`);
    try {
      const examples = await getEngine().adversarialExamples(count, attackRequest(attack, eps));
      set({ examples, made: { attack, eps, modelVersion } });
    } catch (e) {
      useCore.getState().setError(errorMessage(e));
    } finally {
      set({ running: false });
      useCore.getState().setActivity('');
    }
  },
}));
