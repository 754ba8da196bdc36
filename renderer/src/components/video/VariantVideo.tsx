import type { Variant } from '../../../../shared/jobs';
import { useMediaUrl } from '../../store/context';
import { useVideoInfo } from './use-video-info';
import { VideoPlayer } from './VideoPlayer';

/** A video result in the player, with what the engine read of its file. */
export function VariantVideo({ variant, label }: { variant: Variant; label: string }): React.JSX.Element {
  const mediaUrl = useMediaUrl();
  const info = useVideoInfo(variant.id);
  // Keyed by the file: another video starts again from its own beginning.
  return <VideoPlayer key={variant.mediaId} src={mediaUrl('variant', variant.mediaId)} info={info} label={label} />;
}
