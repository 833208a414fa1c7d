/**
 * View 6, Adversarial examples: test images attacked on the dense model (the worker's
 * `adversarialExamples(count, attack)`), each shown clean, as its amplified perturbation and
 * attacked, with the dense and the pruned (current mask) model's predictions on both.
 */
import { useEffect } from 'react';
import { attackLabel } from '../lib/attacks';
import { AttackForm } from '../components/adversarial/AttackForm';
import { ExampleCard } from '../components/adversarial/ExampleCard';
import { Legend } from '../components/canvas/Legend';
import { useAdversarial } from '../store/adversarial';
import { useCore } from '../store/core';

/** Count of examples a model gets wrong under attack. */
function errors(preds: number[], labels: number[]): number {
  return preds.filter((p, i) => p !== labels[i]).length;
}

export function AdversarialView() {
  const dataset = useCore((s) => s.dataset);
  const model = useCore((s) => s.model);
  const modelVersion = useCore((s) => s.modelVersion);
  const examples = useAdversarial((s) => s.examples);
  const made = useAdversarial((s) => s.made);
  const running = useAdversarial((s) => s.running);
  const triedFor = useAdversarial((s) => s.triedFor);
  const eps = useAdversarial((s) => s.eps);
  const generate = useAdversarial((s) => s.generate);
  const defaultEps = dataset?.budget.epsLinf ?? 0.1;
  const ready = dataset !== null && model !== null;

  // craft a first set as soon as a model is there, and again after its weights change
  useEffect(() => {
    if (ready && !running && triedFor !== modelVersion) void generate(eps ?? defaultEps);
  }, [ready, running, triedFor, modelVersion, eps, defaultEps, generate]);

  const labels = examples.map((e) => e.label);
  const n = examples.length;
  return (
    <section className="adv-view" aria-label="Adversarial examples">
      <div className="card">
        <h2>Adversarial examples</h2>
        <p className="label">
          Attacks are crafted on the dense model; the pruned model (the current mask) sees the same
          adversarial images, so its column is a transfer attack.
        </p>
        <AttackForm defaultEps={defaultEps} ready={ready} />
        {made && n > 0 ? (
          <p className="summary" data-testid="examples-summary">
            {attackLabel(made.attack)} at ε {made.eps}: the dense model is fooled on{' '}
            {errors(
              examples.map((e) => e.denseAdvPred),
              labels,
            )}
            /{n}, the pruned one on{' '}
            {errors(
              examples.map((e) => e.prunedAdvPred),
              labels,
            )}
            /{n} (clean errors: dense{' '}
            {errors(
              examples.map((e) => e.densePred),
              labels,
            )}
            , pruned{' '}
            {errors(
              examples.map((e) => e.prunedPred),
              labels,
            )}
            ).
            {made.modelVersion !== modelVersion ? ' The model has changed since: regenerate.' : ''}
          </p>
        ) : null}
        <Legend kind="diverging" low="−max |δ|" high="+max |δ|" caption="perturbation δ = x′ − x" />
      </div>
      {dataset && n > 0 ? (
        <div className="examples" data-state={running ? 'computing' : 'ready'}>
          {examples.map((e) => (
            <ExampleCard
              key={e.index}
              example={e}
              shape={dataset.shape}
              classNames={dataset.classNames}
            />
          ))}
        </div>
      ) : (
        <p className="label">{running ? 'Crafting…' : 'No examples yet.'}</p>
      )}
    </section>
  );
}
