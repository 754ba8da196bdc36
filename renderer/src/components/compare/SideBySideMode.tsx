import type { RefCallback } from 'react';
import { ComparePane, type ModeImages, type PaneState, SideChip, SideImage } from './CompareParts';

interface SideBySideModeProps {
  images: ModeImages;
  pane: PaneState;
  beforePaneRef: RefCallback<HTMLDivElement>;
  afterPaneRef: RefCallback<HTMLDivElement>;
}

/** Two panes, before left and after right, zoomed and panned together. */
export function SideBySideMode({ images, pane, beforePaneRef, afterPaneRef }: SideBySideModeProps): React.JSX.Element {
  return (
    <>
      <ComparePane ref={beforePaneRef} index={0} pane={pane}>
        <SideImage side="before" images={images} />
        <SideChip side="before" images={images} position="start" />
      </ComparePane>
      <ComparePane ref={afterPaneRef} index={1} pane={pane}>
        <SideImage side="after" images={images} />
        <SideChip side="after" images={images} position="start" />
      </ComparePane>
    </>
  );
}
