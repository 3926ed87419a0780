import { test } from 'node:test';
import assert from 'node:assert/strict';
import { srgbToLab } from './color.ts';

test('srgbToLab maps white, black and mid grey to their known L*a*b* values', () => {
  const white = srgbToLab(255, 255, 255);
  assert.ok(
    Math.abs(white[0]! - 100) < 0.01 && Math.abs(white[1]!) < 0.01 && Math.abs(white[2]!) < 0.01,
  );
  const black = srgbToLab(0, 0, 0);
  assert.ok(Math.abs(black[0]!) < 1e-9);
  const grey = srgbToLab(119, 119, 119); // L* ~ 50
  assert.ok(Math.abs(grey[0]! - 50) < 0.5, `grey L=${grey[0]}`);
});

test('srgbToLab gives the reference value for pure red', () => {
  const red = srgbToLab(255, 0, 0); // L 53.24, a 80.09, b 67.20
  assert.ok(Math.abs(red[0]! - 53.24) < 0.05);
  assert.ok(Math.abs(red[1]! - 80.09) < 0.1);
  assert.ok(Math.abs(red[2]! - 67.2) < 0.1);
});
