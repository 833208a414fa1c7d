/**
 * The attacks the Adversarial examples and Transfer benchmark views offer, as plain UI data (the
 * engine's registry imports tfjs, so it stays in the worker), and the options sent for an L∞
 * radius ε. Step sizes follow the registry's rules: PGD and C&W-L∞ ε/4 (20 steps), MI-FGSM ε/10
 * (10 steps, Dong et al. 2018); FGSM, APGD-CE and Square take ε alone (their other options keep
 * the engine's defaults).
 */

export type UiAttackName = 'fgsm' | 'pgd-linf' | 'mifgsm' | 'cw-linf' | 'apgd-ce' | 'square';

export const UI_ATTACKS: readonly { name: UiAttackName; label: string; hint: string }[] = [
  { name: 'fgsm', label: 'FGSM', hint: 'Goodfellow et al. 2015, one signed-gradient step' },
  { name: 'pgd-linf', label: 'PGD-L∞', hint: 'Madry et al. 2018, 20 steps of ε/4, random start' },
  { name: 'mifgsm', label: 'MI-FGSM', hint: 'Dong et al. 2018, momentum, 10 steps of ε/10' },
  { name: 'cw-linf', label: 'C&W-L∞', hint: 'Carlini & Wagner margin loss, PGD 20 × ε/4' },
  { name: 'apgd-ce', label: 'APGD-CE', hint: 'Croce & Hein 2020, step-size-free PGD' },
  { name: 'square', label: 'Square', hint: 'Andriushchenko et al. 2020, black-box, queries only' },
];

/** Human label of an attack name (the name itself when unknown). */
export function attackLabel(name: string): string {
  return UI_ATTACKS.find((a) => a.name === name)?.label ?? name;
}

/** A plain attack request `{ name, options }` for L∞ radius `eps` (pixel units, [0, 1]). */
export function attackRequest(
  name: UiAttackName,
  eps: number,
): { name: UiAttackName; options: Record<string, number> } {
  switch (name) {
    case 'pgd-linf':
    case 'cw-linf':
      return { name, options: { eps, steps: 20, stepSize: eps / 4 } };
    case 'mifgsm':
      return { name, options: { eps, steps: 10, stepSize: eps / 10 } };
    default:
      return { name, options: { eps } };
  }
}

/** Whether `eps` is a usable L∞ radius: a finite number in (0, 1]. */
export function validEps(eps: number): boolean {
  return Number.isFinite(eps) && eps > 0 && eps <= 1;
}
