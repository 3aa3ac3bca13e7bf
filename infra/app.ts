/**
 * The CDK app (`cdk.json` runs it with tsx). Settings come from `-c stockpipe:<key>=<value>`;
 * see infra/config.ts and docs/DEPLOY.md. cdk-nag's AwsSolutions pack runs on every synth, so a
 * finding without a written acknowledgement stops `cdk synth` and `cdk deploy`.
 */
import { App } from 'aws-cdk-lib';
import { RESOURCE } from '../src/shared/names';
import { configFromContext, InfraConfigError, type InfraConfig } from './config';
import { addNagChecks } from './nag';
import { StockpipeStack } from './stack';

const app = new App();
let config: InfraConfig;
try {
  config = configFromContext(app.node);
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  // A wrong setting is a usage error: say which one and why, without a stack trace.
  console.error(`stockpipe: ${error.message}`);
  process.exit(2);
}
new StockpipeStack(app, RESOURCE.stack, {
  config,
  // Unset offline: the template is then environment-agnostic, which synth needs no account for.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);
app.synth();
