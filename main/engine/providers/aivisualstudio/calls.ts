import { ProviderRequestError, type HttpResponse, type RequestFailure } from '../../net/http';
import type { ProviderContext, ProviderRequest } from '../contract';
import { detailNumber, readApiError, type ApiError } from './answers';

/**
 * What a request is for: a paid generation, reading work and models, or managing webhooks. A
 * scope refused on a generation makes that operation unavailable; refused on reading it stops the
 * whole provider (no job could be followed).
 */
export type Purpose = 'generate' | 'read' | 'webhooks';

export type Call = (context: ProviderContext, request: ProviderRequest, purpose: Purpose) => Promise<HttpResponse>;

/**
 * Every request to AI Visual Studio, with its refusals put in words the user can act on. The
 * statuses and codes are the doc's table; the classification that follows (pause, fail, retry,
 * review) is the queue's, by status and code (docs/providers/README.md).
 */
export const callAivs: Call = async (context, request, purpose) => {
  try {
    return await context.request(request);
  } catch (error) {
    if (!(error instanceof ProviderRequestError) || !error.response || error.failure.kind !== 'http') throw error;
    const refusal = readApiError(error.response.body);
    const words = wordsFor(refusal, purpose);
    if (!words) throw error;
    const failure: RequestFailure = {
      kind: 'http',
      status: error.failure.status,
      ...(words.code ? { providerCode: words.code } : {}),
    };
    // The queue and Settings put the provider's name before these words.
    throw new ProviderRequestError(words.message, failure, error.response);
  }
};

/** The message for a refusal, and the code the queue classifies it by (none: by its status). */
function wordsFor(error: ApiError, purpose: Purpose): { message: string; code?: string } | null {
  const said = error.message ? ` (${error.message})` : '';
  switch (error.code) {
    case 'missing_api_key':
      return { message: `no API key was sent. Set your key in Settings › Providers.`, code: 'missing_api_key' };
    case 'invalid_api_key':
      return {
        message: `the API key is not valid: it was revoked, or mistyped${said}. Create a key in your AI Visual Studio dashboard and set it in Settings › Providers.`,
        code: 'invalid_api_key',
      };
    case 'expired_api_key':
      return {
        message: `the API key has expired${said}. Create a new key in your AI Visual Studio dashboard and set it in Settings › Providers.`,
        code: 'expired_api_key',
      };
    case 'ip_not_allowed':
      return {
        message: `the API key may not be used from this machine's address (the key's IP allowlist)${said}. Add this address to the key, or use another key.`,
        code: 'ip_not_allowed',
      };
    case 'insufficient_scope': {
      const scope = typeof error.details?.required === 'string' ? `"${error.details.required}"` : 'the';
      if (purpose === 'generate') {
        // Only this operation is refused: it is shown unavailable, the provider's other work goes on.
        return {
          message: `the API key lacks the ${scope} scope this needs${said}.`,
          code: 'insufficient_scope',
        };
      }
      // Without `read` no job can be followed (nor webhooks managed): the provider pauses (a 403).
      return {
        message: `the API key lacks the ${scope} scope Shootline needs to follow its work${said}. Give the key the "read" scope (and "webhooks" for webhooks), or set another key.`,
        code: `${error.code}_${purpose}`,
      };
    }
    case 'insufficient_credits': {
      const required = detailNumber(error, 'required');
      const available = detailNumber(error, 'available');
      const amounts =
        required !== undefined && available !== undefined
          ? ` This needs ${required} credits; ${available} are left.`
          : said;
      return { message: `not enough credits.${amounts}`, code: 'insufficient_credits' };
    }
    case 'rate_limited':
      return {
        message: `too many requests; Shootline waits for the rate limit's window to reset.`,
        code: 'rate_limited',
      };
    case 'invalid_request':
      return {
        message: `the request was refused as invalid${invalidDetails(error) ?? said}.`,
        code: 'invalid_request',
      };
    case 'not_found':
      return { message: `not found${said}.`, code: 'not_found' };
    case 'internal_error':
      return { message: `an internal error at AI Visual Studio${said}.`, code: 'internal_error' };
    case null:
    default:
      return error.message ? { message: error.message, ...(error.code ? { code: error.code } : {}) } : null;
  }
}

/** `details` of an invalid request, as the field and rule it names, when it names them. */
function invalidDetails(error: ApiError): string | null {
  const details = error.details;
  if (!details) return null;
  const problems = Array.isArray(details.problems) ? (details.problems as unknown[]) : [details];
  const named = problems.flatMap((problem) => {
    if (typeof problem !== 'object' || problem === null) return [];
    const { field, message, rule } = problem as Record<string, unknown>;
    const text = typeof message === 'string' ? message : typeof rule === 'string' ? rule : null;
    if (typeof field === 'string' && text) return [`${field}: ${text}`];
    return text ? [text] : [];
  });
  return named.length > 0 ? `: ${named.slice(0, 3).join('; ')}` : null;
}
