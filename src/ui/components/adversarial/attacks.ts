/**
 * Moved to src/ui/lib/attacks.ts (pure helpers over the engine's attack catalog); re-exported
 * here only until the stores import it from there.
 */
export { attackLabel, attackRequest, validEps, type UiAttackName } from '../../lib/attacks';
