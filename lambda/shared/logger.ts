import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). One logger per function, created at module load; the level
 * comes from POWERTOOLS_LOG_LEVEL (default INFO). Tests pass a SILENT logger to the factories.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function silentLogger(): Logger {
  return new Logger({ serviceName: 'test', logLevel: 'SILENT' });
}

export type { Logger };
