/**
 * Analytics: the Glue catalog over the lake (raw JSON partitioned by dt, with symbol a column; compacted
 * Parquet partitioned by symbol and dt) and the Athena workgroup that queries it, with an enforced, encrypted result
 * location and a cutoff on the bytes one query may scan.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE, RESOURCE } from '../../src/shared/names';
import { secureBucketProps, useBucketPolicyForAccessLogs } from './raw-storage';

/**
 * Columns of both tables. `symbol` is absent on purpose: it is a partition key of the curated table,
 * and Athena rejects a table whose partition key repeats a column ("Table descriptor contains
 * duplicate columns"); the raw table adds it as its last column (RAW_COLUMNS).
 */
export const TICK_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [
  { name: 'timestamp', type: 'timestamp', comment: 'market time of the quote, UTC' },
  { name: 'price', type: 'double' },
  { name: 'open', type: 'double' },
  { name: 'high', type: 'double' },
  { name: 'low', type: 'double' },
  { name: 'previous_close', type: 'double' },
  { name: 'volume', type: 'bigint' },
  { name: 'source', type: 'string' },
];

const DAY_KEY: glue.CfnTable.ColumnProperty = { name: 'dt', type: 'string', comment: 'trading day, yyyy-MM-dd' };

/** The raw zone holds one object per batch and day, every symbol in it: partitioned by day only. */
export const RAW_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [...TICK_COLUMNS, { name: 'symbol', type: 'string' }];
export const RAW_PARTITION_KEYS: readonly glue.CfnTable.ColumnProperty[] = [DAY_KEY];

/** One Parquet object per symbol and day: `symbol = ...` prunes to that symbol's files. */
export const PARTITION_KEYS: readonly glue.CfnTable.ColumnProperty[] = [{ name: 'symbol', type: 'string' }, DAY_KEY];

/**
 * Ticks carry ISO-8601 UTC timestamps ending in Z (`2024-01-02T15:04:05.000Z`); Joda patterns for the
 * OpenX SerDe, with and without milliseconds, so a `timestamp` column parses instead of going NULL.
 */
export const RAW_TIMESTAMP_FORMATS = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z',yyyy-MM-dd'T'HH:mm:ss'Z'";

export interface AnalyticsProps {
  readonly lake: s3.IBucket;
  /** Where the Athena results bucket logs its accesses. */
  readonly accessLogs: s3.IBucket;
  /** Athena cancels a query after it scanned this many MiB. @default 1024 */
  readonly bytesScannedCutoffMb?: number;
  /** Days Athena query results are kept. @default 30 */
  readonly resultRetentionDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Analytics extends Construct {
  readonly database: glue.CfnDatabase;
  readonly rawTable: glue.CfnTable;
  readonly curatedTable: glue.CfnTable;
  readonly workgroup: athena.CfnWorkGroup;
  readonly results: s3.Bucket;
  /** Derived from the stack name: two stacks in one account do not collide. */
  readonly databaseName: string;
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // A create that rolls back deletes the catalog and the workgroup (nothing is in them yet), so the
    // next deploy does not fail with AlreadyExists; an update or a delete keeps them.
    const catalogRemoval = removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : removalPolicy;
    const catalogId = Stack.of(this).account;
    const names = analyticsNames(Stack.of(this).stackName);
    this.databaseName = names.database;
    this.workgroupName = names.workgroup;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: { name: this.databaseName, description: 'stockpipe market data lake' },
    });

    const table = (tableId: string, name: string, prefix: string, format: 'json' | 'parquet') => {
      const t = new glue.CfnTable(this, tableId, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: {
          name,
          tableType: 'EXTERNAL_TABLE',
          parameters: { classification: format, EXTERNAL: 'TRUE' },
          partitionKeys: [...(format === 'json' ? RAW_PARTITION_KEYS : PARTITION_KEYS)],
          storageDescriptor: {
            columns: [...(format === 'json' ? RAW_COLUMNS : TICK_COLUMNS)],
            location: props.lake.s3UrlForObject(prefix),
            ...(format === 'json'
              ? {
                  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
                  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
                  serdeInfo: {
                    serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
                    parameters: {
                      'timestamp.formats': RAW_TIMESTAMP_FORMATS,
                      'ignore.malformed.json': 'FALSE',
                    },
                  },
                }
              : {
                  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
                  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
                  serdeInfo: {
                    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
                  },
                }),
          },
        },
      });
      t.addResourceDependency(this.database);
      t.applyRemovalPolicy(catalogRemoval);
      return t;
    };
    this.rawTable = table('RawTable', RESOURCE.rawTable, LAKE.raw, 'json');
    this.curatedTable = table('CuratedTable', RESOURCE.curatedTable, LAKE.curated, 'parquet');
    this.database.applyRemovalPolicy(catalogRemoval);

    this.results = new s3.Bucket(this, 'Results', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(props.resultRetentionDays ?? 30) }],
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: this.workgroupName,
      description: 'stockpipe reports and ad-hoc queries over the lake',
      state: 'ENABLED',
      // Without it CloudFormation cannot delete a workgroup that has saved queries.
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: (props.bytesScannedCutoffMb ?? 1024) * 1024 * 1024,
        resultConfiguration: {
          outputLocation: this.results.s3UrlForObject('query-results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workgroup.applyRemovalPolicy(catalogRemoval);
  }
}

/**
 * The Glue database and Athena workgroup names of a stack. Glue names are lower case with underscores
 * (Athena cannot query a database with a hyphen unquoted); workgroups allow hyphens.
 */
export function analyticsNames(stackName: string): { readonly database: string; readonly workgroup: string } {
  const bare = stackName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  // "default" is a database every account has, and the name should say whose it is: prefix unless it does.
  const slug = bare.startsWith(RESOURCE.glueDatabase) ? bare : `${RESOURCE.glueDatabase}_${bare}`;
  return { database: slug, workgroup: slug.replace(/_/g, '-') };
}
