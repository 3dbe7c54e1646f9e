#!/usr/bin/env node
// The `hookline` command: runs the compiled CLI as one bundled file (dist/hookline.mjs: `tsc -b`, then
// scripts/bundle.mjs; both run by `npm install` through the root `prepare` script). One file instead of ~470
// starts faster on Node 20 (issue 12 goal 5).
import '../dist/hookline.mjs';
