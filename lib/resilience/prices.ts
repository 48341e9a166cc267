import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One list price and where it came from (data/prices.json). */
export interface Price {
  readonly value: number;
  readonly unit: string;
  readonly region: string;
  readonly source: string;
  readonly read: string;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly note: string;
}

export interface PriceBook {
  readonly file: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  readonly prices: Readonly<Record<string, Price>>;
}

/** The price file is missing or malformed; the message lists every problem. */
export class PriceFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PriceFileError';
  }
}

/** The price file in this repository. */
export const DEFAULT_PRICES_FILE = path.join(__dirname, '..', '..', 'data', 'prices.json');

/** Every price id the cost estimate uses; a price file must define all of them. */
export const PRICE_IDS = [
  'route53.queries.standard',
  'route53.healthCheck.aws.basic',
  'route53.healthCheck.nonAws.basic',
  'route53.healthCheck.aws.option',
  'route53.healthCheck.nonAws.option',
  'route53.healthCheck.calculated',
  'route53.healthCheck.cloudwatchMetric',
  'cloudwatch.alarm.standard',
  'cloudwatch.alarm.highResolution',
  'cloudwatch.alarm.composite',
  'cloudwatch.alarm.anomalyDetection',
  'synthetics.canaryRun',
  'kms.key',
  'kms.requests.asymmetric',
  'dynamodb.onDemand.write',
  'dynamodb.onDemand.replicatedWrite',
  'dynamodb.onDemand.read',
  'dynamodb.storage',
  'dynamodb.pitr',
  'dataTransfer.interRegion',
  'waf.webAcl',
  'waf.rule',
  'waf.requests',
  'backup.dynamodb.warmStorage',
  'backup.crossRegionTransfer',
  'backup.dynamodb.restore',
  'lambda.requests',
  'lambda.duration.arm',
  'lambda.duration.x86',
] as const;

export type PriceId = (typeof PRICE_IDS)[number];

/** Reads and checks a price file; every problem is reported at once. */
export function loadPriceBook(file: string = DEFAULT_PRICES_FILE): PriceBook {
  if (!existsSync(file))
    throw new PriceFileError(`price file ${file} does not exist; restore data/prices.json or pass --prices <file>`);
  let raw: { currency?: unknown; hoursPerMonth?: unknown; prices?: Record<string, Partial<Price>> };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (err) {
    throw new PriceFileError(`price file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const problems: string[] = [];
  const prices = raw.prices ?? {};
  for (const id of PRICE_IDS) {
    const p = prices[id];
    if (p === undefined) {
      problems.push(`${id}: missing; add it with value, unit, region, source, read, confidence and note`);
      continue;
    }
    if (typeof p.value !== 'number' || !Number.isFinite(p.value) || p.value < 0) {
      problems.push(`${id}.value: must be a number of 0 or more; received ${JSON.stringify(p.value)}`);
    }
    for (const field of ['unit', 'region', 'note'] as const) {
      if (typeof p[field] !== 'string' || p[field] === '') problems.push(`${id}.${field}: must be a non-empty string`);
    }
    if (typeof p.source !== 'string' || !p.source.startsWith('https://')) {
      problems.push(`${id}.source: must be the https:// address of the AWS pricing page`);
    }
    if (typeof p.read !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(p.read)) {
      problems.push(`${id}.read: must be the date the price was read, YYYY-MM-DD`);
    }
    if (!['high', 'medium', 'low'].includes(String(p.confidence))) {
      problems.push(`${id}.confidence: must be "high", "medium" or "low"`);
    }
  }
  if (typeof raw.hoursPerMonth !== 'number' || raw.hoursPerMonth <= 0)
    problems.push('hoursPerMonth: must be a positive number (AWS uses 730)');
  if (problems.length > 0)
    throw new PriceFileError(`price file ${file} has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  return {
    file,
    currency: typeof raw.currency === 'string' ? raw.currency : 'USD',
    hoursPerMonth: raw.hoursPerMonth as number,
    prices: prices as Record<string, Price>,
  };
}
