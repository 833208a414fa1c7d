/**
 * The objective registry: the config union (discriminated by `kind`, derived defaults filled by
 * `resolveObjective`) and `createObjective`. Kinds: 'standard', 'pgd-at', 'trades', 'fgsm-rs'.
 */
import { z } from 'zod';
import {
  fgsmRsObjective,
  fgsmRsObjectiveSchema,
  resolveFgsmRs,
  type FgsmRsObjectiveConfig,
} from './fgsm-rs';
import {
  pgdAtObjective,
  pgdAtObjectiveSchema,
  resolvePgdAt,
  type PgdAtObjectiveConfig,
} from './pgd-at';
import {
  standardObjective,
  standardObjectiveSchema,
  type StandardObjectiveConfig,
} from './standard';
import {
  resolveTrades,
  tradesObjective,
  tradesObjectiveSchema,
  type TradesObjectiveConfig,
} from './trades';
import type { Objective } from './types';

export type { Objective, LossResult, CraftContext, BnStats } from './types';

/** A resolved objective config (every default filled, derived step sizes included). */
export type ObjectiveConfig =
  StandardObjectiveConfig | PgdAtObjectiveConfig | TradesObjectiveConfig | FgsmRsObjectiveConfig;

export const objectiveSchema = z
  .discriminatedUnion('kind', [
    standardObjectiveSchema,
    pgdAtObjectiveSchema,
    tradesObjectiveSchema,
    fgsmRsObjectiveSchema,
  ])
  .transform((c): ObjectiveConfig => {
    switch (c.kind) {
      case 'standard':
        return c;
      case 'pgd-at':
        return resolvePgdAt(c);
      case 'trades':
        return resolveTrades(c);
      case 'fgsm-rs':
        return resolveFgsmRs(c);
    }
  });
export type ObjectiveConfigInput = z.input<typeof objectiveSchema>;
export type ObjectiveKind = ObjectiveConfig['kind'];

/** The objective's ε (pixel units), or null for standard training. */
export function objectiveEps(c: ObjectiveConfig): number | null {
  return c.kind === 'standard' ? null : c.eps;
}

/** The objective for a resolved config. */
export function createObjective(c: ObjectiveConfig): Objective {
  switch (c.kind) {
    case 'standard':
      return standardObjective();
    case 'pgd-at':
      return pgdAtObjective(c);
    case 'trades':
      return tradesObjective(c);
    case 'fgsm-rs':
      return fgsmRsObjective(c);
  }
}
