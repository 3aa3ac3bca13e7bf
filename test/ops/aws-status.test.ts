import { lastHourFromValues } from '../../src/ops/aws/status';

describe('status on AWS: the last hour from CloudWatch datapoints', () => {
  test('a metric without datapoints is unknown, not 0', () => {
    expect(lastHourFromValues(new Map())).toEqual({ ticksIn: null, ticksProcessed: null, alerts: null, iteratorAge: null });
    expect(lastHourFromValues(new Map([['ticksIn', []]]))).toMatchObject({ ticksIn: null });
  });

  test('datapoints are summed, a datapoint of 0 is 0, and the iterator age is the largest of the newest 15 minutes', () => {
    const values = new Map<string, number[]>([
      ['ticksIn', [60, 60]],
      ['ticksProcessed', [0]],
      ['alerts', [1, 2]],
      ['iteratorAge', [300, 1500, ...Array<number>(13).fill(0), 99_999]],
    ]);
    expect(lastHourFromValues(values)).toEqual({ ticksIn: 120, ticksProcessed: 0, alerts: 3, iteratorAge: 1500 });
  });
});
