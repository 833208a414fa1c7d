/**
 * The training objective and its attack: standard (clean cross-entropy), PGD-AT (Madry et al.
 * 2018, arXiv 1706.06083), TRADES (Zhang et al. 2019, arXiv 1901.08573; β weighs the KL term) or
 * FGSM-RS (Wong, Rice and Kolter 2020, arXiv 2001.03994). ε is the L∞ radius in pixel units
 * (pixels in [0, 1]); it also sets the radius of the validation PGD that measures robust accuracy.
 */
import { SETUP_FIELDS, OBJECTIVES, useSetup } from '../../store/setup';
import { FieldCard, NumberField, SelectField } from './fields';

const OBJECTIVE_NAMES = {
  standard: 'standard (clean)',
  'pgd-at': 'PGD-AT (Madry et al. 2018)',
  trades: 'TRADES (Zhang et al. 2019)',
  'fgsm-rs': 'FGSM-RS (Wong et al. 2020)',
} as const;

export function ObjectiveCard() {
  const s = useSetup();
  const F = SETUP_FIELDS;
  const iterative = s.objective === 'pgd-at' || s.objective === 'trades';
  const derivedStep =
    s.objective === 'trades' ? s.eps / 4 : (2.5 * s.eps) / Math.max(1, s.attackSteps);
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
              title={
                s.objective === 'trades'
                  ? 'empty: ε/4 (TRADES reference code)'
                  : 'empty: 2.5·ε/steps (Madry et al.)'
              }
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
            placeholder={`auto ${(1.25 * s.eps).toPrecision(3)}`}
            title="empty: 1.25·ε (Wong et al.); α = 2ε already risks catastrophic overfitting"
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
