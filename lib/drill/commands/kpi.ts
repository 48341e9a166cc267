import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile, resolveConfigPath } from '../../config/load';
import { createDrillClients } from '../clients';
import { EXIT } from '../exit-codes';
import { buildKpis, KpiInputError, publishKpis, renderKpiHtml, renderKpiText } from '../kpi';
import { Cli, RecordError } from './context';

/** `wallet-drill kpi --records <dir>`: KPIs over drill, chaos and status-page records (lib/drill/kpi.ts). */
export function registerKpi(program: Command, cli: Cli): void {
  const { io, guarded } = cli;
  program
    .command('kpi')
    .description(
      'KPIs from drill, chaos and status-page records: time to detect and recover per scenario (p50/p90/max/count), SLA per month, incident frequency',
    )
    .requiredOption('--records <dir>', 'directory of drill/chaos records (.json) and status-page state files')
    .option('--html <file>', 'also write the report as a self-contained HTML page')
    .option('--publish', 'publish the KPIs as CloudWatch metrics (namespace Wallet/Kpi, in the standby region)')
    .option('-c, --config <name|path>', 'config file (for --publish: the region)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill kpi --records drill-reports\n  wallet-drill kpi --records drill-reports --html kpi.html --json',
    )
    .action(
      guarded(async (opts: { records: string; html?: string; publish?: boolean; config?: string; json?: boolean }) => {
        let k;
        try {
          k = buildKpis(path.resolve(io.cwd, opts.records));
        } catch (e) {
          if (e instanceof KpiInputError) throw new RecordError(e.message);
          throw e;
        }
        if (opts.html !== undefined) writeFileSync(path.resolve(io.cwd, opts.html), renderKpiHtml(k));
        let published: number | undefined;
        if (opts.publish) {
          const config = loadConfigFile(resolveConfigPath(opts.config, io.cwd));
          published = await publishKpis(
            createDrillClients(io.awsClients).cloudwatch(config.regions.standby),
            k,
            new Date(cli.now()),
          );
        }
        io.stdout.write(
          `${opts.json ? JSON.stringify({ command: 'kpi', ...k, published }, null, 2) : renderKpiText(k)}\n`,
        );
        return EXIT.ok;
      }) as never,
    );
}
