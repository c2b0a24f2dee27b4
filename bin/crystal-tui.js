#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it into dist/ via the prepare script).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
