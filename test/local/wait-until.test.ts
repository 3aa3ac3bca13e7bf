import { waitUntil } from '../../src/local/schedule/sleeper';

describe('waitUntil with progress', () => {
  it('waits past the timeout while the work moves, and gives up once it stops moving', async () => {
    let done = 0;
    const moving = setInterval(() => done++, 5);
    const started = Date.now();
    // 60 ms without progress would fail; the work moves every 5 ms and ends after 200 ms.
    await waitUntil(
      () => Date.now() - started > 200,
      60,
      () => 'stuck',
      5,
      () => done,
    );
    clearInterval(moving);
    expect(Date.now() - started).toBeGreaterThan(200);

    const stuck = Date.now();
    await expect(
      waitUntil(
        () => false,
        60,
        () => 'no progress for 60 ms',
        5,
        () => done,
      ),
    ).rejects.toThrow('no progress for 60 ms');
    expect(Date.now() - stuck).toBeGreaterThanOrEqual(60);
  });

  it('without progress, gives up at the timeout', async () => {
    await expect(
      waitUntil(
        () => false,
        30,
        () => 'timed out',
        5,
      ),
    ).rejects.toThrow('timed out');
  });
});
