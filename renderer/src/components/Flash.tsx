import { useEffect, useState } from 'react';
import { useApp } from '../store/context';

/** How long a flash stays: long enough to read three words, short enough not to cover the next photo. */
const SHOWN_MS = 1800;

/**
 * What a key just did ("Variant 2 · Picked", "Undone: Rejected 3 photos"), or why it did nothing,
 * laid over the bottom of the view for a moment, as Lightroom says "Set as Pick".
 */
export function Flash(): React.JSX.Element | null {
  const flash = useApp((state) => state.flash);
  const [expiredSeq, setExpiredSeq] = useState(0);
  useEffect(() => {
    if (!flash) return undefined;
    const timer = window.setTimeout(() => setExpiredSeq(flash.seq), SHOWN_MS);
    return () => window.clearTimeout(timer);
  }, [flash]);
  if (!flash || expiredSeq === flash.seq) return null;
  return (
    <div className="flash" role="status" data-testid="flash" key={flash.seq}>
      {flash.text}
    </div>
  );
}
