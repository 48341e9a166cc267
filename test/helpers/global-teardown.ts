/** Jest globalTeardown: stops the shared moto_server the global setup spawned. */
export default async function globalTeardown(): Promise<void> {
  (globalThis as { __walletSharedMoto?: { stop(): void } }).__walletSharedMoto?.stop();
}
