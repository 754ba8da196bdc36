import { useEffect, useRef, useState } from 'react';
import { matchCommand } from '../../../shared/commands';
import { shortcutSections } from '../shortcut-sheet';
import { isTyping } from '../views/review/keys';

/** The keyboard shortcuts, on `?` (and closed with Esc or `?` again). */
export function ShortcutSheet(): React.JSX.Element | null {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (matchCommand('global', event)?.id !== 'app.shortcuts') return;
      const sheetOpen = document.querySelector('dialog.shortcut-sheet[open]') !== null;
      if (!sheetOpen && isTyping(event)) return;
      event.preventDefault();
      setOpen((current) => !current);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (open) dialog.current?.showModal();
  }, [open]);

  if (!open) return null;
  return (
    <dialog
      ref={dialog}
      className="run-dialog shortcut-sheet"
      aria-label="Keyboard shortcuts"
      onClose={() => setOpen(false)}
    >
      <h2>Keyboard shortcuts</h2>
      {shortcutSections().map((section) => (
        <section key={section.title}>
          <h3>{section.title}</h3>
          <dl>
            {section.rows.map((row) => (
              <div key={`${row.keys} ${row.label}`} className="shortcut-row">
                <dt>
                  <kbd>{row.keys}</kbd>
                </dt>
                <dd>{row.label}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <div className="dialog-actions">
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </dialog>
  );
}
