/**
 * Threat budgets per dataset (pixels in [0, 1]): the ε and PGD schedule the registry's defaults
 * are built from.
 *
 * | dataset        | L∞ ε  | PGD steps × step     | L2 ε | source                                  |
 * | mnist          | 0.3   | 40 × 0.01            | 2.0  | MadryLab/mnist_challenge                |
 * | fashion-mnist  | 0.1   | 20 × 0.025 (= ε/4)   | 1.0  | locuslab/convex_adversarial; ε/4 rule   |
 * | cifar10        | 8/255 | 20 × 2/255           | 0.5  | MadryLab/cifar10_challenge, RobustBench |
 *
 * The L2 radii for MNIST (2.0) and CIFAR-10 (0.5) are the usual ones in the literature; 1.0 for
 * Fashion-MNIST is our choice (no established convention). Any other dataset name gets the
 * CIFAR-10 budget (8/255 is also the common library default, e.g. torchattacks).
 */

/** The threat budget of a dataset (see the table above). */
export interface Budget {
  /** L∞ radius, pixel units */
  epsLinf: number;
  /** PGD iterations */
  steps: number;
  /** PGD-L∞ step size, pixel units */
  stepSize: number;
  /** L2 radius over the whole image */
  epsL2: number;
}

export const BUDGETS: Readonly<Record<'mnist' | 'fashion-mnist' | 'cifar10', Budget>> = {
  mnist: { epsLinf: 0.3, steps: 40, stepSize: 0.01, epsL2: 2.0 },
  'fashion-mnist': { epsLinf: 0.1, steps: 20, stepSize: 0.025, epsL2: 1.0 },
  cifar10: { epsLinf: 8 / 255, steps: 20, stepSize: 2 / 255, epsL2: 0.5 },
};

/** The budget for `dataset`; unknown names get CIFAR-10's. */
export function budgetFor(dataset: string): Budget {
  return Object.hasOwn(BUDGETS, dataset)
    ? BUDGETS[dataset as keyof typeof BUDGETS]
    : BUDGETS.cifar10;
}
