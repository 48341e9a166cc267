import { parentPort, workerData } from 'node:worker_threads';
import { runSlice, type CampaignOptions } from './campaign';

/** A campaign worker thread: runs its slice of seeds and posts the outcomes back. */
const { seeds, options } = workerData as { seeds: number[]; options: CampaignOptions };
void runSlice(seeds, options).then((outcomes) => parentPort?.postMessage(outcomes));
