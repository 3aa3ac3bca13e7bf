import { buildDailyReport, reportSummary, type SymbolDayRow } from '../../src/core/report';
import { anomalyRows, athenaTimestampToIso, resultSetRows, symbolDayRows } from '../../src/report/athena-results';
import { dailyReportQueries } from '../../src/report/queries';
import { escapeHtml, renderReportHtml } from '../../src/report/render';
import { makeReportHandler, type ReportPlan } from '../../src/report/report-task';

const row: SymbolDayRow = {
  symbol: 'MSFT',
  ticks: 3,
  open_price: 100,
  close_price: 103,
  high_price: 104,
  low_price: 99,
  previous_close: 101,
  volume: 3000,
  first_tick: '2024-01-02T14:30:00.000Z',
  last_tick: '2024-01-02T20:59:00.000Z',
  largest_move_at: '2024-01-02T15:00:00.000Z',
  largest_move_price: 104,
  largest_move_percent: 6.12,
  anomalies: 1,
};

describe('daily report (pure)', () => {
  it('joins the day rows with the day alerts, sorted, and totals them', () => {
    const report = buildDailyReport({
      date: '2024-01-02',
      generatedAt: '2024-01-03T00:00:00.000Z',
      symbolRows: [row, { ...row, symbol: 'IBM', ticks: 2, anomalies: 0 }],
      anomalyRows: [
        { symbol: 'MSFT', timestamp: '2024-01-02T15:00:00.000Z', price: 104, previous_close: 98, change_percent: 6.12 },
      ],
      alerts: [
        {
          symbol: 'MSFT',
          side: 'SELL',
          timestamp: '2024-01-02T18:00:00.000Z',
          price: 101,
          sma5: 1,
          sma20: 2,
          status: 'PUBLISHED',
        },
        {
          symbol: 'MSFT',
          side: 'BUY',
          timestamp: '2024-01-02T15:00:00.000Z',
          price: 104,
          sma5: 2,
          sma20: 1,
          status: 'PUBLISHED',
        },
        { symbol: 'MSFT', side: 'BUY', timestamp: '2024-01-03T15:00:00.000Z', price: 1, sma5: 2, sma20: 1, status: 'PUBLISHED' },
      ],
    });
    expect(report.symbols.map((s) => s.symbol)).toEqual(['IBM', 'MSFT']);
    expect(report.symbols[1]!.alerts.map((a) => a.side)).toEqual(['BUY', 'SELL']);
    // Against the previous close (101), not the day's open (100).
    expect(report.symbols[1]!.changePercent).toBe(1.98);
    expect(report.totals).toEqual({
      symbols: 2,
      ticks: 5,
      alerts: 2,
      buy: 1,
      sell: 1,
      pending: 0,
      anomalies: 1,
      lateTicks: 0,
      duplicateTicks: 0,
    });
    const { subject, message } = reportSummary(report, { json: 's3://b/r.json', html: 's3://b/r.html' });
    expect(subject).toBe('stockpipe daily report 2024-01-02: 2 symbols, 2 alerts');
    expect(message).toContain(
      'MSFT: 3 ticks, open 100.00 high 104.00 low 99.00 close 103.00 (+1.98% vs previous close 101.00), volume 3,000, anomalies 1; alerts: BUY 104.00 at 15:00, SELL 101.00 at 18:00',
    );
    expect(message).toContain('Full report: s3://b/r.html');
  });

  it('renders HTML with every value escaped', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const html = renderReportHtml(
      buildDailyReport({
        date: '2024-01-02',
        generatedAt: 'now',
        symbolRows: [{ ...row, symbol: 'BRK.B' }],
        anomalyRows: [],
        alerts: [],
      }),
    );
    expect(html).toContain(
      '<th scope="row">BRK.B</th><td>3</td><td>100.00</td><td>104.00</td><td>99.00</td><td>103.00</td><td>101.00</td><td class="up">+1.98%</td><td>3,000</td>',
    );
    expect(html).toContain('<p>No anomaly.</p>');
  });
});

describe("Athena's result shape to typed rows", () => {
  const resultSet = {
    ResultSetMetadata: {
      ColumnInfo: [
        { Name: 'symbol', Type: 'varchar' },
        { Name: 'timestamp', Type: 'timestamp' },
        { Name: 'price', Type: 'double' },
        { Name: 'previous_close', Type: 'double' },
        { Name: 'change_percent', Type: 'double' },
      ],
    },
    Rows: [
      {
        Data: [
          { VarCharValue: 'symbol' },
          { VarCharValue: 'timestamp' },
          { VarCharValue: 'price' },
          { VarCharValue: 'previous_close' },
          { VarCharValue: 'change_percent' },
        ],
      },
      {
        Data: [
          { VarCharValue: 'IBM' },
          { VarCharValue: '2024-01-02 14:30:00.000' },
          { VarCharValue: '1.0E2' },
          { VarCharValue: '94' },
          { VarCharValue: '6.38' },
        ],
      },
    ],
  };

  it('skips the header row and types values by column type', () => {
    expect(anomalyRows(resultSet)).toEqual([
      { symbol: 'IBM', timestamp: '2024-01-02T14:30:00.000Z', price: 100, previous_close: 94, change_percent: 6.38 },
    ]);
    expect(athenaTimestampToIso('2024-01-02 14:30:00')).toBe('2024-01-02T14:30:00.000Z');
  });

  it('a null or malformed value is an error naming query, row, column and value', () => {
    const broken = {
      ...resultSet,
      Rows: [
        resultSet.Rows[0]!,
        {
          Data: [
            { VarCharValue: 'IBM' },
            { VarCharValue: '2024-01-02 14:30:00.000' },
            {},
            { VarCharValue: '94' },
            { VarCharValue: '6.38' },
          ],
        },
      ],
    };
    expect(() => anomalyRows(broken)).toThrow('query anomalies row 1 column price=null: is null');
    const nan = {
      ...resultSet,
      Rows: [
        {
          Data: [
            { VarCharValue: 'IBM' },
            { VarCharValue: '2024-01-02 14:30:00.000' },
            { VarCharValue: 'abc' },
            { VarCharValue: '94' },
            { VarCharValue: '6.38' },
          ],
        },
      ],
    };
    expect(() => resultSetRows(nan, 'anomalies')).toThrow('query anomalies row 1 column price="abc": is not a finite double');
    expect(() => symbolDayRows(resultSet)).toThrow('query symbols row 1 column ticks=missing: must be a number');
  });
});

describe('report task', () => {
  const handler = makeReportHandler({
    alerts: { alertsOfDay: async () => [] },
    skipped: { skippedOn: async () => new Map() },
    now: () => new Date('2024-01-05T21:30:00Z'),
  });

  it("plans the execution's UTC day when no date is given, and the given day otherwise", async () => {
    const planned = (await handler({ action: 'plan', input: {}, startedAt: '2024-01-04T21:30:00.000Z' })) as ReportPlan;
    expect(planned.date).toBe('2024-01-04');
    expect(planned.keys).toEqual({ json: 'reports/dt=2024-01-04/report.json', html: 'reports/dt=2024-01-04/report.html' });
    expect(planned.queries.map((q) => q.name)).toEqual(['symbols', 'anomalies', 'signals', 'chart']);
    expect(((await handler({ action: 'plan', input: { date: '2023-12-29' } })) as ReportPlan).date).toBe('2023-12-29');
  });

  it('reads only the day partition of the compacted table; for the crossovers, its history before the day and the raw day', () => {
    const [symbols, anomalies, signals] = dailyReportQueries('2024-01-04');
    for (const q of [symbols!, anomalies!]) {
      expect(q.sql).toContain('FROM stock_data_curated');
      expect(q.sql).toContain("WHERE dt = '2024-01-04'");
    }
    expect(signals!.sql).toContain(`FROM stock_data_curated\n  WHERE dt < '2024-01-04' AND dt <= '2024-01-04'`);
    expect(signals!.sql).toContain(`FROM stock_data_table\n  WHERE dt >= '2024-01-04' AND dt <= '2024-01-04'`);
    expect(signals!.sql).toContain(`"timestamp" >= TIMESTAMP '2024-01-04 00:00:00.000'`);
  });

  it('refuses a date that is not a calendar day and an unknown action', async () => {
    await expect(handler({ action: 'plan', input: { date: "2024-01-04' OR 1=1 --" } })).rejects.toThrow(
      'report date="2024-01-04\' OR 1=1 --": must be a calendar day written YYYY-MM-DD',
    );
    await expect(handler({ action: 'publish' })).rejects.toThrow('report task input action:');
  });
});
