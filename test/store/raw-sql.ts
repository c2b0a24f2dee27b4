// Tests that look at the database file directly (pragmas, raw statements a hand edit or another tool
// could run) open their own connection to it, the way crystal-tui opens one: the store keeps its own
// handle private.
import { type DB, openDatabase } from "../../src/store/database.js";

const open = new Map<string, DB>();

/** A second connection to the store's database file, opened like the store's own (pragmas included). */
export function sql(store: { path: string }): DB {
  let db = open.get(store.path);
  if (!db?.open) {
    db = openDatabase(store.path, { migrate: false });
    open.set(store.path, db);
  }
  return db;
}

process.on("exit", () => {
  for (const db of open.values()) if (db.open) db.close();
});
