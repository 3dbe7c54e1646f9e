#!/usr/bin/env node
// The `hookline` command: runs the compiled CLI (built by `npm install` through the root `prepare` script).
import '../dist/cli/main.js';
