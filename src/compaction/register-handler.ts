/** The Lambda that registers a maintenance run's partitions in Glue (raw and curated tables). */
import { GlueCatalog } from '../adapters/aws/glue-catalog';
import { withPowertools } from '../shared/powertools';
import { glueDatabaseFromEnv, tracedGlueClient } from './lambda-env';
import { makeRegisterPartitionsHandler } from './register-partitions';

export const handler = withPowertools(
  makeRegisterPartitionsHandler({ catalog: new GlueCatalog(tracedGlueClient(), glueDatabaseFromEnv()) }),
);
