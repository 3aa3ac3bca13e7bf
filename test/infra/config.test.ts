import { App } from 'aws-cdk-lib';
import { CONFIG_KEYS, configFromContext, parseConfig, InfraConfigError } from '../../infra/config';

describe('infra config', () => {
  test('no settings give the safe defaults: retain, protected, provisioned single shard, schedule on', () => {
    expect(parseConfig()).toEqual({
      symbols: ['AAPL'],
      cadenceSeconds: 30,
      quoteSource: 'yahoo',
      alertEmail: undefined,
      opsEmail: undefined,
      ttlDays: 30,
      rawRetentionDays: 90,
      removalPolicy: 'retain',
      deletionProtection: true,
      scheduleEnabled: true,
      streamMode: 'provisioned',
      shardCount: 1,
      athenaBytesScannedCutoffMb: 1024,
      logRetentionDays: 30,
      retryAttempts: 3,
      maxRecordAgeSeconds: 3600,
      batchSize: 1000,
      batchingWindowSeconds: 5,
      parallelizationFactor: 1,
      iteratorAgeAlarmSeconds: 300,
    });
    expect(CONFIG_KEYS).toHaveLength(20);
  });

  test('strings from -c and JSON values from cdk.json parse to the same settings', () => {
    const fromCli = parseConfig({
      symbols: 'aapl, msft',
      cadenceSeconds: '10',
      scheduleEnabled: 'false',
      shardCount: '2',
    });
    const fromJson = parseConfig({
      symbols: ['AAPL', 'MSFT'],
      cadenceSeconds: 10,
      scheduleEnabled: false,
      shardCount: 2,
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.symbols).toEqual(['AAPL', 'MSFT']);
  });

  test('destroy turns deletion protection off unless it is asked for explicitly', () => {
    expect(parseConfig({ removalPolicy: 'destroy' }).deletionProtection).toBe(false);
    expect(parseConfig({ removalPolicy: 'destroy', deletionProtection: 'true' }).deletionProtection).toBe(true);
  });

  test('the ops email falls back to the alert email', () => {
    expect(parseConfig({ alertEmail: 'a@example.com' }).opsEmail).toBe('a@example.com');
    expect(parseConfig({ alertEmail: 'a@example.com', opsEmail: 'ops@example.com' }).opsEmail).toBe('ops@example.com');
  });

  test.each([
    [
      { cadenceSeconds: '7' },
      'context stockpipe:cadenceSeconds="7": must divide 60: the schedule fires once a minute and samples 60/cadence times',
    ],
    [{ cadenceSeconds: 'fast' }, 'context stockpipe:cadenceSeconds="fast": must be a whole number'],
    [{ retryAttempts: '-1' }, 'context stockpipe:retryAttempts="-1": must be between 0 and 10000'],
    [{ parallelizationFactor: 11 }, 'context stockpipe:parallelizationFactor=11: must be between 1 and 10'],
    [{ athenaBytesScannedCutoffMb: '5' }, 'context stockpipe:athenaBytesScannedCutoffMb="5": must be between 10 and 1048576'],
    [{ removalPolicy: 'delete' }, 'context stockpipe:removalPolicy="delete": must be one of retain, destroy'],
    [{ streamMode: 'ONDEMAND' }, 'context stockpipe:streamMode="ONDEMAND": must be one of provisioned, on-demand'],
    [{ scheduleEnabled: 'yes' }, 'context stockpipe:scheduleEnabled="yes": must be true or false'],
    [{ alertEmail: 'not-an-address' }, 'context stockpipe:alertEmail="not-an-address": must be an email address'],
    [{ symbols: 'AAPL,,MSFT' }, 'context stockpipe:symbols="AAPL,,MSFT": must list symbols without empty entries'],
    [{ symbols: 'AAPL,aapl' }, 'context stockpipe:symbols="AAPL,aapl": lists a symbol twice'],
    [
      { symbols: 'AA PL' },
      'context stockpipe:symbols="AA PL": "AA PL" must be 1-15 characters of A-Z, 0-9, ".", "-" or "=", starting with a letter or digit, or with "^" before one (an index such as ^GSPC)',
    ],
    [{ logRetentionDays: '10' }, 'context stockpipe:logRetentionDays="10": must be a CloudWatch Logs retention: '],
    [
      { alertEmial: 'a@example.com' },
      'context stockpipe:alertEmial="a@example.com": is not a setting; known settings: symbols, cadenceSeconds,',
    ],
  ])('%j is rejected naming the key, the value and the reason', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(InfraConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });

  test('configFromContext reads only stockpipe: keys of the app context', () => {
    const app = new App({
      context: {
        'stockpipe:symbols': 'MSFT',
        'stockpipe:removalPolicy': 'destroy',
        '@aws-cdk/core:someFlag': true,
      },
    });
    const config = configFromContext(app.node);
    expect(config.symbols).toEqual(['MSFT']);
    expect(config.removalPolicy).toBe('destroy');
  });
});
