import { DEFAULT_UNIT, formatAmount, type CostUnit } from '../../../../shared/providers';

/** Costs in words, each in its provider's unit: AIXpose credits, ProductAI tokens, AuraX quarter credits. */

/** A provider's cost unit for the user (credits until the provider list has loaded). */
export type UnitOf = (provider: string) => CostUnit;

/** Builds a unit lookup from `providers.list`. */
export function unitLookup(entries: readonly { id: string; unit: CostUnit }[]): UnitOf {
  const units = new Map(entries.map((entry) => [entry.id, entry.unit]));
  return (id) => units.get(id) ?? DEFAULT_UNIT;
}

/** "1 credit", "2.5 credits", "20 tokens" in the provider's unit; null when there is no estimate. */
export function costWords(amount: number | null, unit: CostUnit = DEFAULT_UNIT): string | null {
  if (amount === null || !Number.isFinite(amount)) return null;
  return formatAmount(amount, unit);
}

/** What a shoot's waiting jobs would cost, provider by provider, each in its unit: "4 credits + 20 tokens". */
export function amountsWords(amounts: readonly { provider: string; estimate: number }[], unitOf: UnitOf): string {
  return amounts
    .filter((amount) => amount.estimate > 0)
    .map((amount) => formatAmount(amount.estimate, unitOf(amount.provider)))
    .join(' + ');
}
