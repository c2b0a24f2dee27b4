// The crystal-tui command line. Commands are thin: they parse, call the store or a service, print.
// Exit codes: 0 success, 1 failure, 2 bad usage; every error is one line on stderr.
import { Command, CommanderError } from "commander";
import { environmentProblem, oneLine, UserError } from "../domain/errors.js";
import { registerClusterCommands } from "./commands/cluster.js";
import { registerClusterConnectCommands } from "./commands/cluster-connect.js";
import { registerDbCommands } from "./commands/db.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerJobCommands } from "./commands/job.js";
import { registerParseCommand } from "./commands/parse.js";
import { registerRunCommand } from "./commands/run.js";
import { registerStructureCommand } from "./commands/structure.js";
import { registerTemplateCommands } from "./commands/template.js";
import { registerTuiCommands } from "./commands/tui.js";
import { registerWorkflowCommands } from "./commands/workflow.js";
import { guardTerminalOutput } from "./output.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("crystal-tui")
    .description("A terminal workstation for CRYSTAL23 calculations")
    .version("0.1.0")
    .option("--project <dir>", "the project folder (default: $CRYSTAL_TUI_PROJECT, else the current folder)")
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(usageLine(text)),
    });
  registerDbCommands(program);
  registerJobCommands(program);
  registerClusterConnectCommands(registerClusterCommands(program));
  registerRunCommand(program);
  registerParseCommand(program);
  registerStructureCommand(program);
  registerDoctorCommand(program);
  registerTemplateCommands(program);
  registerWorkflowCommands(program);
  registerTuiCommands(program);
  for (const cmd of program.commands) applyExitOverride(cmd);
  return program;
}

function usageLine(text: string): string {
  return `crystal-tui: ${oneLine(text.replace(/^error: /, ""))} (see crystal-tui --help)\n`;
}

function applyExitOverride(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (text, write) => write(usageLine(text)),
  });
  for (const sub of cmd.commands) applyExitOverride(sub);
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  // text from files and remote hosts never reaches the terminal as escapes, for the life of the
  // process (an engine still writes after main returns); the TUI lifts it to draw
  guardTerminalOutput();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      ) {
        return 0;
      }
      return 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`crystal-tui: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    const problem = environmentProblem(err);
    if (problem) {
      process.stderr.write(`crystal-tui: ${problem}\n`);
      if (process.env.CRYSTAL_TUI_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      return 1;
    }
    const e = err as Error;
    process.stderr.write(
      `crystal-tui: internal error: ${oneLine(e.message)} — please report it with the command you ran\n`,
    );
    if (process.env.CRYSTAL_TUI_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const isEntry =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) {
  main().then((code) => {
    process.exitCode = code;
  });
}
