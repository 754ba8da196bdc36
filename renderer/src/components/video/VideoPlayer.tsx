import { useEffect, useRef, useState } from 'react';
import type { VideoInfo } from '../../../../shared/api-media';
import { matchCommand } from '../../../../shared/commands';
import { stepTarget } from './frame-step';
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
 * (`info`); the browser's element knows neither, and when it cannot decode the file the engine's
 * length and size are still shown, with why it does not play.
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
  const [elementDuration, setElementDuration] = useState(Number.NaN);
  const [playing, setPlaying] = useState(false);
  const [elementSize, setElementSize] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const fps = info?.frameRate ?? FALLBACK_FPS;
  const duration = Number.isFinite(elementDuration) ? elementDuration : info ? info.durationMs / 1000 : Number.NaN;
  const size = elementSize ?? (info ? { width: info.width, height: info.height } : null);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const sync = (): void => {
      setTime(element.currentTime);
      setElementDuration(element.duration);
      setPlaying(!element.paused);
      if (element.videoWidth > 0) setElementSize({ width: element.videoWidth, height: element.videoHeight });
    };
    const fail = (): void => setFailed(true);
    const events = ['timeupdate', 'durationchange', 'loadedmetadata', 'play', 'pause', 'seeked'] as const;
    for (const name of events) element.addEventListener(name, sync);
    element.addEventListener('error', fail);
    // Events that fired before these listeners (a cached file's metadata) are read once here.
    sync();
    if (element.error) fail();
    return () => {
      for (const name of events) element.removeEventListener(name, sync);
      element.removeEventListener('error', fail);
    };
  }, []);

  const toggle = (): void => {
    const element = video.current;
    if (!element) return;
    if (element.paused) void element.play().catch(() => undefined);
    else element.pause();
  };

  const step = (frames: number): void => {
    const element = video.current;
    if (!element) return;
    element.pause();
    element.currentTime = stepTarget(element.currentTime, fps, element.duration, frames);
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    const command = matchCommand('video', event);
    if (!command) return;
    // The player's keys stay with it: the photo view's arrows and letters never see them.
    event.stopPropagation();
    if (command.id === 'video.scrub') return; // the position bar moves itself
    event.preventDefault();
    if (command.id === 'video.playPause') toggle();
    else step(command.id === 'video.previousFrame' ? -1 : 1);
  };

  const words = [
    `${clock(time)} / ${clock(duration)}`,
    size ? `${size.width} × ${size.height}` : null,
    info ? info.codecLabel : null,
    info?.frameRate ? `${Number(info.frameRate.toFixed(3))} fps` : null,
  ].filter(Boolean);
  const end = Number.isFinite(duration) ? duration : 0;

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
          aria-valuetext={`${clock(time)} of ${clock(duration)}`}
          min={0}
          max={end}
          step={1 / fps}
          value={Math.min(time, end)}
          onChange={(event) => {
            const element = video.current;
            if (element) element.currentTime = Number(event.target.value);
          }}
        />
      </div>
      <figcaption className="video-player-info" data-testid="video-info">
        {words.join(' · ')}
      </figcaption>
      {failed ? (
        <p className="video-player-error" role="alert">
          This browser cannot play this video{info ? ` (${info.codecLabel})` : ''}. Export it to watch it in a player.
        </p>
      ) : null}
    </figure>
  );
}
