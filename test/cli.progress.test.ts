/**
 * @file Progress on a non-terminal stderr: plain lines, no carriage return, rate limited, the
 * last state always printed; nothing with `quiet`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { makeProgress } from '../src/cli/progress.js';

function sink(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  return { stream, text: () => text };
}

test('non-terminal: the first update, then at most one line per interval, and the last state at stop', () => {
  const s = sink();
  let t = 0;
  const p = makeProgress('tuning', 10, { stream: s.stream, intervalMs: 1000, now: () => t });
  for (let k = 1; k <= 10; k++) {
    t = k * 300; // an update every 300 ms
    p.update(k, `step ${k}`);
  }
  p.stop();
  const lines = s.text().split('\n').filter(Boolean);
  assert.deepEqual(lines, ['tuning: 1/10 step 1', 'tuning: 5/10 step 5', 'tuning: 9/10 step 9', 'tuning: 10/10 step 10']);
  assert.doesNotMatch(s.text(), /\r/);
});

test('quiet prints nothing', () => {
  const s = sink();
  const p = makeProgress('tuning', 3, { stream: s.stream, quiet: true });
  p.update(1, 'x');
  p.stop();
  assert.equal(s.text(), '');
});
