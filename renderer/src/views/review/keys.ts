/**
 * True while single-letter shortcuts must not fire: the user types in a field, or a modal dialog
 * (the recipe dialog, the shortcut sheet) owns the keyboard — Esc there closes the dialog only.
 */
export function isTyping(event: KeyboardEvent): boolean {
  if (document.querySelector('dialog[open]')) return true;
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  const tag = target.tagName;
  // A slider, checkbox or colour well keeps its focus after a click; the shortcuts still apply.
  if (tag === 'INPUT') return !NOT_TYPED.has((target as HTMLInputElement).type);
  return tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

const NOT_TYPED = new Set(['range', 'checkbox', 'radio', 'color', 'button', 'submit', 'reset']);
