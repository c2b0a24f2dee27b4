// crystal-tui db status | migrate
import type { Command } from "commander";
import { LATEST_VERSION } from "../../store/migrations/index.js";
import { withStore } from "../context.js";
import { printJson } from "../output.js";

export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("the project database");

  db.command("status")
    .description("where the database is, its schema version, and how many jobs and clusters it holds")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const status = {
          path: store.path,
          schema_version: store.schemaVersion(),
          latest_schema_version: LATEST_VERSION,
          jobs: await store.jobs.count(),
          clusters: (await store.clusters.list()).length,
        };
        if (opts.json) printJson(status);
        else
          process.stdout.write(
            `database  ${status.path}\nschema    v${status.schema_version} (latest v${LATEST_VERSION})\njobs      ${status.jobs}\nclusters  ${status.clusters}\n`,
          );
      });
    });

  db.command("migrate")
    .description("bring the database to the current schema version (opening it does this too)")
    .action(async (_opts: unknown, cmd: Command) => {
      await withStore(cmd, async (store) => {
        process.stdout.write(`${store.path} is at schema version ${store.schemaVersion()}\n`);
      });
    });
}
