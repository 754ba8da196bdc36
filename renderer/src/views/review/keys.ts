/**
 * True while single-letter shortcuts must not fire: the user types in a field, or a modal dialog
 * (the recipe dialog, the shortcut sheet) owns the keyboard — Esc there closes the dialog only.
 */
export function isTyping(event: KeyboardEvent): boolean {
  if (document.querySelector('dialog[open]')) return true;
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}
