/**
 * What an answer's status means for a delivery, alone (how the queue then acts on it is in
 * answers.test.ts): 2xx succeeds, 3xx is a redirect never followed, 410 is gone, 429 and 503 are
 * throttled, everything else failed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeOf } from '../../src/events/delivery-attempt.ts';

test('each status has its outcome, at the edges of each range too', () => {
  const cases: Array<[number, string]> = [
    [200, 'succeeded'],
    [201, 'succeeded'],
    [204, 'succeeded'],
    [299, 'succeeded'],
    [300, 'redirect'],
    [301, 'redirect'],
    [304, 'redirect'],
    [308, 'redirect'],
    [399, 'redirect'],
    [100, 'failed'],
    [199, 'failed'],
    [400, 'failed'],
    [404, 'failed'],
    [409, 'failed'],
    [410, 'gone'],
    [429, 'throttled'],
    [500, 'failed'],
    [502, 'failed'],
    [503, 'throttled'],
    [504, 'failed'],
    [599, 'failed'],
  ];
  for (const [status, outcome] of cases) assert.equal(outcomeOf(status), outcome, String(status));
});
