/** How the info panel writes a photo's numbers, the way photographers read them. */

/** 1/250 s, 1/8000 s, 0.5 s, 2 s, 30 s. */
export function formatShutter(seconds: number | null): string | null {
  if (seconds === null || !(seconds > 0)) return null;
  if (seconds >= 0.3) return `${Number(seconds.toFixed(1))} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

/** f/2.8, f/8, f/11. */
export function formatAperture(fNumber: number | null): string | null {
  if (fNumber === null || !(fNumber > 0)) return null;
  return `f/${Number(fNumber.toFixed(1))}`;
}

/** 28 mm, or 28 mm (42 mm on 35 mm film) when the camera says both and they differ. */
export function formatFocalLength(focal: number | null, on35: number | null): string | null {
  if (focal === null || !(focal > 0)) return on35 ? `${Math.round(on35)} mm (35 mm equivalent)` : null;
  const own = `${Number(focal.toFixed(1))} mm`;
  return on35 && Math.round(on35) !== Math.round(focal) ? `${own} (${Math.round(on35)} mm on 35 mm)` : own;
}

/** 37.88500° N, 122.62250° W · 122 m */
export function formatGps(gps: { latitude: number; longitude: number; altitude: number | null } | null): string | null {
  if (!gps) return null;
  const lat = `${Math.abs(gps.latitude).toFixed(5)}° ${gps.latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(gps.longitude).toFixed(5)}° ${gps.longitude >= 0 ? 'E' : 'W'}`;
  return gps.altitude === null ? `${lat}, ${lon}` : `${lat}, ${lon} · ${Math.round(gps.altitude)} m`;
}

/** 812 B, 48.2 KB, 3.4 MB, 1.20 GB (powers of 1,000, as file managers on macOS show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** "2016-03-24T14:49:51" as the camera wrote it (local time, not moved to this machine's zone). */
export function formatCaptured(capturedAt: string | null): string | null {
  const match = capturedAt ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(.*)$/.exec(capturedAt) : null;
  if (!match) return capturedAt;
  const [, year, month, day, hour, minute, second, zone] = match;
  return `${year}-${month}-${day} ${hour}:${minute}:${second}${zone ? ` (UTC${zone})` : ''}`;
}

/** A recipe parameter's value as one short line: text, numbers, yes/no, lists, or compact JSON. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 300)}…` : value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '—';
  const json = JSON.stringify(value);
  return json.length > 300 ? `${json.slice(0, 300)}…` : json;
}

/**
 * An SVG path for one histogram channel in a `width`×`height` box: counts scaled to the tallest bin
 * of all channels (so they compare), with the square root softening one spike (a white sky).
 */
export function histogramPath(bins: readonly number[], tallest: number, width: number, height: number): string {
  if (bins.length === 0 || tallest <= 0) return '';
  const step = width / bins.length;
  const top = Math.sqrt(tallest);
  const points = bins.map((count, index) => {
    const x = (index + 0.5) * step;
    const y = height - (Math.sqrt(count) / top) * height;
    return `L${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return `M0,${height} ${points.join(' ')} L${width},${height} Z`;
}
