import { useEffect, useRef, useState } from 'react';
import { isTyping } from '../views/review/keys';

const GROUPS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'Everywhere',
    keys: [
      ['Ctrl/⌘ 1–5', 'Hot folders, Shoots, Queue, Export, Settings'],
      ['?', 'This sheet'],
    ],
  },
  {
    title: 'Shoot grid',
    keys: [
      ['Click · Shift-click · Ctrl/⌘-click', 'Select one · a range · add or remove'],
      ['Ctrl/⌘ A', 'Select all'],
      ['Arrows · Home · End', 'Move (Shift extends the selection)'],
      ['P · X · U', 'Pick · reject · unflag'],
      ['1–5 · 0', 'Rate · clear rating'],
      ['Enter', 'Open the photo'],
    ],
  },
  {
    title: 'Photo and variants',
    keys: [
      ['← →', 'Previous · next variant'],
      ['↑ ↓', 'Previous · next photo'],
      ['P · X · U · 1–5', 'Pick · reject · unflag · rate the variant'],
      ['A', 'Approve the variant (for export, videos and publishing)'],
      ['\\', 'Before / after'],
      ['Y', 'Compare mode: slider, side by side, toggle'],
      ['Z', 'Fit / 100%'],
      ['L', 'Loupe'],
      ['Esc', 'Back to the shoot'],
    ],
  },
];

/** The keyboard shortcuts, on `?` (and closed with Esc or `?` again). */
export function ShortcutSheet(): React.JSX.Element | null {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== '?') return;
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
      {GROUPS.map((group) => (
        <section key={group.title}>
          <h3>{group.title}</h3>
          <dl>
            {group.keys.map(([keys, action]) => (
              <div key={keys} className="shortcut-row">
                <dt>
                  <kbd>{keys}</kbd>
                </dt>
                <dd>{action}</dd>
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
