#!/usr/bin/env node
// Entry point of the `qrlink` command: runs the TypeScript CLI through tsx's loader, so that
// `npm ci` is the only step a fresh clone needs.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
