import { z } from 'zod';
import { CostUnitSchema } from './providers';

/** A shoot's budget at one provider, in that provider's unit (AIXpose credits, ProductAI tokens…). */
export const BudgetViewSchema = z.object({
  shootId: z.string(),
  provider: z.string(),
  providerName: z.string(),
  unit: CostUnitSchema,
  /** The most the shoot may spend there; null for no cap. */
  cap: z.number().nullable(),
  /** What the user approved so far. */
  approved: z.number(),
  /** Spend up to the cap without asking. */
  autoApprove: z.boolean(),
  /** Charged, plus the estimates of work that may still be charged. */
  committed: z.number(),
  /** Jobs waiting for an approval there, and what they would cost. */
  awaiting: z.object({ jobs: z.number().int(), amount: z.number() }),
});
export type BudgetView = z.infer<typeof BudgetViewSchema>;
