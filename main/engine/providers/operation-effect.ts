import type { OperationEffect } from '../../../shared/operation-effects';
import { operationOf, type ProviderModule } from './contract';

/** What an operation declares it does to a photo, and whether its provider's results come from a trained model. */
export interface DeclaredEffect {
  effect: OperationEffect;
  generative: boolean;
  /** The operation's own words for the disclosure label ("Concept render"). */
  disclosure?: string;
  /** It hides what the photo showed (a redaction): the unaltered photo must not travel with it. */
  hides?: boolean;
}

export type EffectOf = (provider: string, operation: string) => DeclaredEffect | null;

/** Looks an operation's effect up in the providers' own tables; null for one no longer offered. */
export function effectLookup(providers: ReadonlyMap<string, ProviderModule>): EffectOf {
  return (provider, operation) => {
    const module = providers.get(provider);
    const spec = module ? operationOf(module, operation) : undefined;
    if (!module || !spec) return null;
    return {
      effect: spec.effect,
      generative: module.generative,
      ...(spec.disclosure ? { disclosure: spec.disclosure } : {}),
      ...(spec.inputs.mask?.purpose === 'redact' ? { hides: true } : {}),
    };
  };
}
