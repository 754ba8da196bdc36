import { useEffect, useRef, useState } from 'react';
import type { VideoInfo } from '../../../../shared/api-media';
import './video.css';

/** Frames a second assumed when the file does not say (a frame step then moves by this much). */
const FALLBACK_FPS = 30;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–:–';
  const whole = Math.max(0, seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole - minutes * 60;
  return `${minutes}:${rest.toFixed(2).padStart(5, '0')}`;
}

/**
 * A video result as an editor checks it: it loops, plays and pauses (Space or K), scrubs with the
 * bar, steps one frame back or forward with , and . (paused, as in an editing suite), and says its
 * length, size and codec. The codec and frame rate come from the engine's reading of the file
 * (`info`); the browser's element knows neither.
 */
export function VideoPlayer({
  src,
  info,
  label,
}: {
  src: string;
  info: VideoInfo | null;
  label: string;
}): React.JSX.Element {
  const video = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(info ? info.durationMs / 1000 : Number.NaN);
  const [playing, setPlaying] = useState(false);
  const [size, setSize] = useState<{ width: number; height: number } | null>(
    info ? { width: info.width, height: info.height } : null,
  );
  const fps = info?.frameRate ?? FALLBACK_FPS;

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const sync = (): void => {
      setTime(element.currentTime);
      if (Number.isFinite(element.duration)) setDuration(element.duration);
      setPlaying(!element.paused);
      if (element.videoWidth > 0) setSize({ width: element.videoWidth, height: element.videoHeight });
    };
    const events = ['timeupdate', 'durationchange', 'loadedmetadata', 'play', 'pause', 'seeked'] as const;
    for (const name of events) element.addEventListener(name, sync);
    return () => {
      for (const name of events) element.removeEventListener(name, sync);
    };
  }, []);

  const toggle = (): void => {
    const element = video.current;
    if (!element) return;
    if (element.paused) void element.play().catch(() => undefined);
    else element.pause();
  };

  /** One frame back or forward, paused; the middle of the frame is aimed at so rounding never skips one. */
  const step = (frames: number): void => {
    const element = video.current;
    if (!element) return;
    element.pause();
    const current = Math.round(element.currentTime * fps);
    const last = Number.isFinite(element.duration) ? Math.floor(element.duration * fps - 0.5) : Number.MAX_SAFE_INTEGER;
    const target = Math.min(last, Math.max(0, current + frames));
    element.currentTime = target / fps + 0.5 / fps;
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === ',' || event.key === '.') {
      event.preventDefault();
      event.stopPropagation();
      step(event.key === ',' ? -1 : 1);
    } else if (event.key === ' ' || event.key === 'k') {
      event.preventDefault();
      event.stopPropagation();
      toggle();
    }
  };

  const words = [
    `${clock(time)} / ${clock(duration)}`,
    size ? `${size.width} × ${size.height}` : null,
    info ? info.codecLabel : null,
    info?.frameRate ? `${Number(info.frameRate.toFixed(3))} fps` : null,
  ].filter(Boolean);

  return (
    <figure className="video-player" aria-label={label} tabIndex={0} onKeyDown={onKeyDown} data-testid="video-player">
      <video
        ref={video}
        className="video-player-video"
        src={src}
        loop
        playsInline
        preload="metadata"
        onClick={toggle}
      />
      <div className="video-player-controls">
        <button type="button" onClick={toggle} aria-label={playing ? 'Pause' : 'Play'}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" onClick={() => step(-1)} aria-label="Previous frame" title="Previous frame (,)">
          ‹
        </button>
        <button type="button" onClick={() => step(1)} aria-label="Next frame" title="Next frame (.)">
          ›
        </button>
        <input
          type="range"
          aria-label="Position"
          min={0}
          max={Number.isFinite(duration) ? duration : 0}
          step={1 / fps}
          value={Math.min(time, Number.isFinite(duration) ? duration : 0)}
          onChange={(event) => {
            const element = video.current;
            if (element) element.currentTime = Number(event.target.value);
          }}
        />
      </div>
      <figcaption className="video-player-info" data-testid="video-info">
        {words.join(' · ')}
      </figcaption>
    </figure>
  );
}
