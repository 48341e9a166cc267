#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildWalletApp } from '../lib/app';
import { loadConfigFile, resolveConfigPath } from '../lib/config/load';
import { ConfigError } from '../lib/config/validate';

// bin/ only wires: one validated config in, every stack out. Choose the config with
// `-c config=<name|path>`; without it, config/example.json is used.
const app = new App();
const configPath = resolveConfigPath(app.node.tryGetContext('config'), process.cwd());
try {
  buildWalletApp(app, loadConfigFile(configPath));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
