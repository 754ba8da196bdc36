import type { RefCallback } from 'react';
import type { Side } from './compare-model';
import { ComparePane, type ModeImages, type PaneState, SideChip, SideImage } from './CompareParts';

interface ToggleModeProps {
  images: ModeImages;
  pane: PaneState;
  paneRef: RefCallback<HTMLDivElement>;
  showingBefore: boolean;
}

/** One pane showing one image at a time; `\` flips it. */
export function ToggleMode({ images, pane, paneRef, showingBefore }: ToggleModeProps): React.JSX.Element {
  const shownSide: Side = showingBefore ? 'before' : 'after';
  return (
    <ComparePane ref={paneRef} index={0} pane={pane}>
      {/* Both stay mounted and decoded so `\` swaps without a flash. */}
      <SideImage side="before" images={images} hidden={shownSide !== 'before'} />
      <SideImage side="after" images={images} hidden={shownSide !== 'after'} />
      <SideChip side={shownSide} images={images} position="start" live />
    </ComparePane>
  );
}
