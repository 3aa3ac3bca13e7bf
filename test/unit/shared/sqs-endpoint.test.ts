import { createClients } from '../../../src/shared/clients';

describe('SQS client endpoint', () => {
  const saved = process.env.AWS_ENDPOINT_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  });

  test('with AWS_ENDPOINT_URL set, the SQS client does not follow the queue URL host', () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    const clients = createClients();
    expect(clients.sqs.config.useQueueUrlAsEndpoint).toBe(false);
    clients.destroy();
  });

  test('without an endpoint the SQS client keeps following queue URLs (real AWS)', () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_SQS;
    const clients = createClients();
    expect(clients.sqs.config.useQueueUrlAsEndpoint).not.toBe(false);
    clients.destroy();
  });
});
