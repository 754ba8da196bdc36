import { asRecord, parseJson, pickList, pickRecord, pickString } from './tolerant';

/**
 * What a provider said when it refused a request, read from whichever error shape it uses:
 * `{error:{code,message,field}}`, `{code,message,field}`, RFC 7807 problem details
 * (`{title,detail,errors:[{field,message}]}`), ProductAI's `{name,message,details}`, or
 * `{errors:[{field,message}]}`. The user sees the provider's own words and the field they name.
 */
export interface ProviderWords {
  code?: string;
  message?: string;
  field?: string;
}

const MAX_WORDS = 300;

export function providerWords(body: Buffer): ProviderWords {
  const parsed = parseJson(body);
  const root = asRecord(parsed);
  if (!root) {
    const text = body.toString('utf8').trim();
    // A short plain-text answer is the provider's words too; an HTML error page is not.
    return text !== '' && text.length <= MAX_WORDS && !text.startsWith('<') ? { message: text } : {};
  }
  const error = pickRecord(root, 'error') ?? root;
  const firstProblem = asRecord(pickList(error, 'errors', 'details', 'issues')?.[0] ?? pickList(root, 'errors')?.[0]);
  const details = pickRecord(error, 'details');
  const code = pickString(error, 'code', 'error_code', 'type') ?? pickString(root, 'code');
  const message =
    pickString(error, 'message', 'detail', 'title', 'error_description') ??
    (typeof root.error === 'string' ? root.error : undefined) ??
    pickString(firstProblem, 'message', 'detail');
  const field =
    pickString(error, 'field', 'param', 'parameter', 'path', 'pointer') ??
    pickString(details, 'field', 'param', 'path') ??
    pickString(firstProblem, 'field', 'param', 'path', 'pointer');
  // ProductAI puts its code in `message` ("OUT_OF_TOKENS") and its words in `details`.
  const detailsText = typeof error.details === 'string' ? error.details : undefined;
  const codeLike = message !== undefined && /^[A-Z][A-Z0-9_]{2,}$/.test(message);
  return {
    ...((code ?? (codeLike ? message : undefined)) ? { code: code ?? message } : {}),
    ...(codeLike && detailsText ? { message: clip(detailsText) } : message ? { message: clip(message) } : {}),
    ...(field ? { field: clip(field) } : {}),
  };
}

/** "… : the provider's message (field x)" — empty when the provider said nothing readable. */
export function describeWords(words: ProviderWords): string {
  if (!words.message) return '';
  return `: ${words.message}${words.field ? ` (field ${words.field})` : ''}`;
}

function clip(text: string): string {
  return text.length <= MAX_WORDS ? text : `${text.slice(0, MAX_WORDS - 1)}…`;
}
