import { useApp } from '../store/context';
import { SECTIONS, type Section } from '../store/store';

export const SECTION_LABELS: Record<Section, string> = {
  'hot-folders': 'Hot folders',
  shoots: 'Shoots',
  queue: 'Queue',
  export: 'Export',
  settings: 'Settings',
};

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export function Sidebar(): React.JSX.Element {
  const section = useApp((state) => state.section);
  const setSection = useApp((state) => state.setSection);
  const shootCount = useApp((state) => state.shoots.length);

  return (
    <nav className="sidebar" aria-label="Sections">
      <div className="brand">Shootline</div>
      <ul>
        {SECTIONS.map((id, index) => (
          <li key={id}>
            <button
              type="button"
              className={id === section ? 'nav-item active' : 'nav-item'}
              aria-current={id === section ? 'page' : undefined}
              title={`${SECTION_LABELS[id]} (${isMac ? '⌘' : 'Ctrl+'}${index + 1})`}
              onClick={() => setSection(id)}
            >
              <span>{SECTION_LABELS[id]}</span>
              {id === 'shoots' && shootCount > 0 ? <span className="count">{shootCount}</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
