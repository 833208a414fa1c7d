/**
 * The training objective and its attack: standard (clean cross-entropy), PGD-AT (Madry et al.
 * 2018, arXiv 1706.06083), TRADES (Zhang et al. 2019, arXiv 1901.08573; β weighs the KL term) or
 * FGSM-RS (Wong, Rice and Kolter 2020, arXiv 2001.03994). ε is the L∞ radius in pixel units
 * (pixels in [0, 1]); it also sets the radius of the validation PGD that measures robust accuracy.
 */
import { SETUP_FIELDS, OBJECTIVES, useSetup } from '../../store/setup';
import {
  derivedDefault,
  objectiveInfo,
  objectiveLabel,
  trainField,
  type ObjectiveKind,
} from '../../../workers/protocol';
import { FieldCard, NumberField, SelectField } from './fields';

/** Each objective's label, from the engine's catalog. */
const OBJECTIVE_NAMES = Object.fromEntries(OBJECTIVES.map((k) => [k, objectiveLabel(k)]));

/** 'empty: ε/4 (TRADES reference code)': the rule the engine fills an empty field with. */
function derivedRule(kind: ObjectiveKind, field: string): string {
  const f = trainField(objectiveInfo(kind), field);
  return f?.type === 'number' && f.derived ? `empty: ${f.derived.rule}` : '';
}

export function ObjectiveCard() {
  const s = useSetup();
  const F = SETUP_FIELDS;
  const iterative = s.objective === 'pgd-at' || s.objective === 'trades';
  const stepKind = s.objective === 'trades' ? 'trades' : 'pgd-at';
  const derivedStep = derivedDefault(stepKind, 'stepSize', {
    eps: s.eps,
    steps: Math.max(1, s.attackSteps),
  });
  return (
    <FieldCard title="Training objective">
      <div className="field-row">
        <SelectField
          label="Objective"
          value={s.objective}
          options={OBJECTIVES}
          names={OBJECTIVE_NAMES}
          onChange={(v) => s.update({ objective: v })}
        />
        <NumberField
          label="ε (L∞)"
          value={s.eps}
          spec={F.eps}
          step={0.01}
          title="L∞ radius of the training attack and of the validation PGD, pixel units in [0, 1]"
          onChange={(v) => s.update({ eps: v ?? F.eps.def })}
        />
        {iterative ? (
          <>
            <NumberField
              label="Attack steps"
              value={s.attackSteps}
              spec={F.attackSteps}
              title="iterations of the inner maximization"
              onChange={(v) => s.update({ attackSteps: v ?? F.attackSteps.def })}
            />
            <NumberField
              label="Step size α"
              value={s.stepSize}
              spec={F.stepSize}
              placeholder={`auto ${derivedStep.toPrecision(3)}`}
              title={derivedRule(stepKind, 'stepSize')}
              onChange={(v) => s.update({ stepSize: v })}
            />
          </>
        ) : null}
        {s.objective === 'trades' ? (
          <NumberField
            label="β (TRADES)"
            value={s.beta}
            spec={F.beta}
            title="weight of the KL robustness term: larger trades clean accuracy for robustness"
            onChange={(v) => s.update({ beta: v ?? F.beta.def })}
          />
        ) : null}
        {s.objective === 'fgsm-rs' ? (
          <NumberField
            label="FGSM step α"
            value={s.alpha}
            spec={F.alpha}
            placeholder={`auto ${derivedDefault('fgsm-rs', 'alpha', { eps: s.eps }).toPrecision(3)}`}
            title={`${derivedRule('fgsm-rs', 'alpha')}; α = 2ε already risks catastrophic overfitting`}
            onChange={(v) => s.update({ alpha: v })}
          />
        ) : null}
      </div>
      <div className="field-row">
        <NumberField
          label="Validation images"
          value={s.valSubset}
          spec={F.valSubset}
          title="clean and PGD accuracy on this many test images after each epoch (0: none; AccelAT needs it)"
          onChange={(v) => s.update({ valSubset: v ?? F.valSubset.def })}
        />
        <NumberField
          label="Validation PGD steps"
          value={s.valSteps}
          spec={F.valSteps}
          title="PGD-L∞ iterations of the validation robust accuracy (step 2.5·ε/steps)"
          onChange={(v) => s.update({ valSteps: v ?? F.valSteps.def })}
        />
      </div>
    </FieldCard>
  );
}
