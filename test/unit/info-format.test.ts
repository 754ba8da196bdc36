import { describe, expect, it } from 'vitest';
import {
  formatAperture,
  formatBytes,
  formatCaptured,
  formatFocalLength,
  formatGps,
  formatParam,
  formatShutter,
  histogramPath,
} from '../../renderer/src/views/review/info/info-format';

describe('the info panel’s numbers', () => {
  it('writes exposure the way photographers read it', () => {
    expect(formatShutter(0.004)).toBe('1/250 s');
    expect(formatShutter(0.00021701388888888888)).toBe('1/4608 s');
    expect(formatShutter(0.5)).toBe('0.5 s');
    expect(formatShutter(30)).toBe('30 s');
    expect(formatShutter(0)).toBeNull();
    expect(formatAperture(2.4)).toBe('f/2.4');
    expect(formatAperture(8)).toBe('f/8');
    expect(formatFocalLength(28, 42)).toBe('28 mm (42 mm on 35 mm)');
    expect(formatFocalLength(50, 50)).toBe('50 mm');
    expect(formatFocalLength(null, 35)).toBe('35 mm (35 mm equivalent)');
    expect(formatFocalLength(null, null)).toBeNull();
  });

  it('writes places, sizes and times without moving them', () => {
    expect(formatGps({ latitude: 37.885, longitude: -122.6225, altitude: 122 })).toBe(
      '37.88500° N, 122.62250° W · 122 m',
    );
    expect(formatGps({ latitude: -33.9, longitude: 18.4, altitude: null })).toBe('33.90000° S, 18.40000° E');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(698_472)).toBe('698.5 KB');
    expect(formatBytes(6_586_368)).toBe('6.6 MB');
    expect(formatCaptured('2016-03-24T14:49:51')).toBe('2016-03-24 14:49:51');
    expect(formatCaptured('2016-03-24T14:49:51+02:00')).toBe('2016-03-24 14:49:51 (UTC+02:00)');
    expect(formatParam({ preset: 'auto' })).toBe('{"preset":"auto"}');
    expect(formatParam(true)).toBe('yes');
    expect(formatParam('x'.repeat(400))).toHaveLength(301);
  });

  it('draws a histogram channel scaled to the tallest bin, from the baseline back to it', () => {
    const path = histogramPath([0, 4, 16, 0], 16, 100, 50);
    expect(path.startsWith('M0,50 ')).toBe(true);
    expect(path.endsWith('L100,50 Z')).toBe(true);
    // The tallest bin reaches the top, a quarter of its count half way (square root).
    expect(path).toContain('L62.5,0.0');
    expect(path).toContain('L37.5,25.0');
    expect(histogramPath([], 10, 100, 50)).toBe('');
  });
});
