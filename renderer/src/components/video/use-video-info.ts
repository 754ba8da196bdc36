import { useEffect, useState } from 'react';
import type { VideoInfo } from '../../../../shared/api-media';
import { useClient } from '../../store/context';

/** A video result's codec, size, length and frame rate as the engine reads them from its file (null until read, or unreadable). */
export function useVideoInfo(variantId: string): VideoInfo | null {
  const client = useClient();
  const [info, setInfo] = useState<{ id: string; info: VideoInfo | null } | null>(null);
  useEffect(() => {
    let current = true;
    client.call('variants.videoInfo', { id: variantId }).then(
      (read) => current && setInfo({ id: variantId, info: read }),
      () => current && setInfo({ id: variantId, info: null }),
    );
    return () => {
      current = false;
    };
  }, [client, variantId]);
  return info?.id === variantId ? info.info : null;
}
