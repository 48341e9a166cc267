#!/usr/bin/env -S node --import tsx
/** Entry of `npm run torture` (torture/cli.ts): only wiring. */
import { main } from '../torture/cli';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
