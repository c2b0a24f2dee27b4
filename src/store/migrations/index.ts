// Every schema version, in order. Append a new file for a new version; never edit an old one.
import type { Migration } from "./types.js";
import { v1 } from "./v1-phase1.js";
import { v2 } from "./v2-remote.js";
import { v3 } from "./v3-status.js";
import { v4 } from "./v4-workflows.js";
import { v5 } from "./v5-job-times.js";
import { v6 } from "./v6-runner-kinds.js";
import { v7 } from "./v7-phase1-runs.js";
import { v8 } from "./v8-connections.js";
import { v9 } from "./v9-deleted-parents.js";

export const MIGRATIONS: readonly Migration[] = [v1, v2, v3, v4, v5, v6, v7, v8, v9];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
