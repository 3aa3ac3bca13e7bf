import { createServer, type Server } from 'node:net';
import { ListTablesCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { emulatorWorkerFile, startEmulatorThread } from '../../src/local/emulators/emulator-thread';
import { createClients } from '../../src/shared/clients';

// The jest globalSetup builds dist/, so the worker entry exists and the emulators run off this thread.
describe('emulators in a worker thread', () => {
  it('finds the built worker entry', () => {
    expect(emulatorWorkerFile()).toMatch(/dist\/emulators-worker\.cjs$/);
  });

  it('serves every emulator from the worker and stops it', async () => {
    const emulators = await startEmulatorThread();
    expect(emulators.inWorker).toBe(true);
    const clients = createClients({ endpoints: emulators.endpoints, sqsQueryProtocol: true });
    try {
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: 'thread-check',
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['thread-check']);
      expect((await clients.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    } finally {
      clients.destroy();
      await emulators.stop();
    }
    // Stopped means the ports are closed, not merely idle.
    await expect(fetch(emulators.endpoints.dynamodb)).rejects.toThrow();
    await emulators.stop(); // a second stop is a no-op
  });

  it('fails with the worker’s reason when a port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startEmulatorThread({ ports: { dynamodb: port } })).rejects.toThrow(
        new RegExp(`the emulators' thread: .*EADDRINUSE.*${port}`),
      );
    } finally {
      blocker.close();
    }
  });
});
