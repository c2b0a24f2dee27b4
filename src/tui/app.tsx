// The TUI's root: which screen is shown, the header, the status line and the footer. Screens own
// their keys; this only routes between them and keeps what must outlive a screen (the job list's
// place, the last message).
import { Box, Text, useApp } from "ink";
import { useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from "react";
import { ProjectFiles } from "../crystal/project-files.js";
import type { ProjectStore } from "../store/port.js";
import { appReducer, initialAppState } from "./app-state.js";
import { type Binding, type KeyTable, type KeyTables, KeyTablesContext } from "./bindings.js";
import { Footer } from "./components/Footer.js";
import { Header } from "./components/Header.js";
import { Help } from "./components/Help.js";
import { LOGIN_PROMPT_KEYS, LoginPrompt } from "./components/LoginPrompt.js";
import { connectionNotice, StatusLine } from "./components/StatusLine.js";
import type { EngineSource } from "./engine-host.js";
import { ViewCache } from "./hooks/cache.js";
import { useClusters } from "./hooks/use-clusters.js";
import { useStatusCounts } from "./hooks/use-jobs.js";
import { type Size, useTerminalSize } from "./hooks/use-terminal-size.js";
import { clusterOutputFetcher, type FetchOutput } from "./job-output-source.js";
import { KeyBus, KeyBusContext, useKeyBusRoot } from "./key-bus.js";
import type { LoginQuestion, LoginQuestions } from "./login-prompts.js";
import { MemoryContext, type Nav, NavContext, type TopScreen, type View } from "./nav.js";
import { TasksContext } from "./screens/ClustersScreen.js";
import { SCREENS, screenOf } from "./screens/index.js";
import { ProjectContext, type StoreWatcher } from "./store-watch.js";
import type { Tasks } from "./tasks.js";
import { colorWanted, type Theme, ThemeContext, useColor } from "./theme.js";

export type { View } from "./nav.js";

/** The screens reached with a key, in the header's order. */
const TOP_SCREENS = SCREENS.filter((s): s is typeof s & { key: string } => s.key !== undefined);

export interface AppProps {
  store: ProjectStore;
  watcher: StoreWatcher;
  engine: EngineSource;
  tasks?: Tasks;
  /** Questions of logins to clusters (one-time codes), shown in a modal; none in read-only tests. */
  logins?: LoginQuestions;
  /** A demo project: results come from the CRYSTAL stand-in (the screen says so). */
  demo?: boolean;
  /** How a job's output is fetched from its cluster (tests count the calls); default: the real one. */
  fetchOutput?: FetchOutput;
  /** Fixed size (tests, benchmark); default: the terminal's, following resizes. */
  size?: Size;
  color?: boolean;
  initialView?: View;
  onQuit?: () => void;
  /** Called once the app listens to keys (tests wait for it before typing, and for the bus to be idle). */
  onReady?: (keys: KeyBus) => void;
  /** Draws nothing for a moment, every screen kept as it is (src/tui/launch.tsx redraws with it). */
  hidden?: boolean;
}

export const DEMO_NOTICE =
  "DEMO — results come from the CRYSTAL stand-in replaying recorded CRYSTAL outputs, not from CRYSTAL";
/** The same, for terminals narrower than the sentence above. */
export const DEMO_NOTICE_SHORT =
  "DEMO: a CRYSTAL stand-in replays recorded outputs — not results from CRYSTAL";

export function App(props: AppProps) {
  const theme = useMemo<Theme>(() => ({ color: props.color ?? colorWanted() }), [props.color]);
  const bus = useMemo(() => new KeyBus(), []);
  const cache = useMemo(() => new ViewCache(props.watcher), [props.watcher]);
  const files = useMemo(() => new ProjectFiles(props.store.projectDir), [props.store]);
  const fetchOutput = useMemo(() => props.fetchOutput ?? clusterOutputFetcher(), [props.fetchOutput]);
  useEffect(() => {
    cache.start();
    return () => cache.stop();
  }, [cache]);
  useKeyBusRoot(bus, props.onReady);
  return (
    <KeyBusContext.Provider value={bus}>
      <ThemeContext.Provider value={theme}>
        <ProjectContext.Provider
          value={{ store: props.store, files, watcher: props.watcher, cache, fetchOutput }}
        >
          <TasksContext.Provider value={props.tasks ?? null}>
            <Box display={props.hidden ? "none" : "flex"} flexDirection="column">
              <Shell {...props} />
            </Box>
          </TasksContext.Provider>
        </ProjectContext.Provider>
      </ThemeContext.Provider>
    </KeyBusContext.Provider>
  );
}

function topOf(view: View): TopScreen {
  if (view.name === "detail" || view.name === "new") return topOf(view.from);
  return view.name;
}

const NO_QUESTIONS: LoginQuestions = { subscribe: () => () => {}, current: () => null, answer: () => {} };

/** Why the cluster's last login failed, while it still waits for one (shown when it asks again). */
function lastLoginError(
  clusters: readonly { name: string; connection?: { status: string; lastError: string | null } }[],
  name: string,
): string | null {
  const connection = clusters.find((c) => c.name === name)?.connection;
  return connection && connection.status !== "connected" ? connection.lastError : null;
}

const LOGIN_TABLE: KeyTable = { title: "login", screen: LOGIN_PROMPT_KEYS, global: [] };

function Shell({ store, watcher, engine, logins, demo, size: fixedSize, initialView, onQuit }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  // one line short of the terminal: a full-height frame makes Ink clear the screen on every update
  const width = Math.max(40, size.columns);
  const height = Math.max(12, size.rows - 1);
  const [{ view, help, flash, table }, dispatch] = useReducer(appReducer, initialView, initialAppState);
  const memory = useMemo(() => new Map<string, unknown>(), []);
  // the key tables published by what is on screen: the latest active one has the keys
  const published = useRef(new Map<object, KeyTable>());
  const flashTimer = useRef<NodeJS.Timeout | null>(null);
  const engineSnap = useSyncExternalStore(engine.subscribe, engine.snapshot);
  const questions = logins ?? NO_QUESTIONS;
  // a login waiting for an answer has every key until it is answered or cancelled
  const question: LoginQuestion | null = useSyncExternalStore(questions.subscribe, questions.current);
  const counts = useStatusCounts();
  const clusters = useClusters();
  const color = useColor();

  useEffect(
    () => () => {
      if (flashTimer.current) clearTimeout(flashTimer.current);
    },
    [],
  );

  const say = useCallback((text: string, kind: "info" | "error" = "info") => {
    dispatch({ type: "flash", flash: { text, kind } });
    if (flashTimer.current) clearTimeout(flashTimer.current);
    flashTimer.current = setTimeout(
      () => dispatch({ type: "flash", flash: null }),
      kind === "error" ? 8000 : 5000,
    );
    flashTimer.current.unref?.();
  }, []);

  const nav: Nav = useMemo(
    () => ({
      go: (screen) => dispatch({ type: "go", screen }),
      showJob: (id) => dispatch({ type: "show job", id }),
      newJob: () => dispatch({ type: "new job" }),
      back: () => dispatch({ type: "back" }),
      help: () => dispatch({ type: "help", open: true }),
      quit: () => {
        onQuit?.();
        exit();
      },
      flash: say,
      changed: () => watcher.touch(),
    }),
    [exit, onQuit, say, watcher],
  );

  // the top screens other than the one shown (its own key would do nothing)
  const elsewhere = useMemo(() => TOP_SCREENS.filter((s) => s.name !== view.name), [view.name]);
  const globals = useMemo<Binding<null>[]>(
    () => [
      {
        on: elsewhere.map((s) => s.key),
        does: `${elsewhere.map((s) => s.title.toLowerCase()).join(", ")} screen`,
        run: (_c, input) => {
          const s = TOP_SCREENS.find((t) => t.key === input);
          if (s) nav.go(s.name as TopScreen);
        },
      },
      { on: ["?"], does: "this help (any key closes it)", footer: "help", run: () => nav.help() },
      {
        on: ["q"],
        does: "quit (the hosted engine stops; running local jobs are picked up by the next engine)",
        footer: "quit",
        run: () => nav.quit(),
      },
      { on: ["ctrl+c"], does: "quit", run: () => nav.quit() },
    ],
    [nav, elsewhere],
  );
  const tables = useMemo<KeyTables>(
    () => ({
      publish: (id, t) => {
        const map = published.current;
        map.delete(id);
        if (t) map.set(id, t);
        dispatch({ type: "table", table: [...map.values()].at(-1) ?? null });
      },
      paused: help || question !== null,
      global: globals,
    }),
    [help, question, globals],
  );

  const bodyHeight = height - 3 - (demo ? 1 : 0);
  const Screen = screenOf(view.name).component;
  // the screen stays mounted under the help (its place, its tab, a half-filled form are kept)
  const covered = help || question !== null;
  const body = (
    <>
      {question ? (
        <LoginPrompt
          key={question.id}
          request={question.request}
          lastTry={lastLoginError(clusters, question.request.cluster)}
          width={width}
          onAnswer={(text) => questions.answer(question.id, text)}
        />
      ) : help ? (
        <Help
          table={table}
          width={width}
          height={bodyHeight}
          onClose={() => dispatch({ type: "help", open: false })}
        />
      ) : null}
      <Box display={covered ? "none" : "flex"} flexDirection="column" height={bodyHeight}>
        <Screen view={view} width={width} height={bodyHeight} />
      </Box>
    </>
  );
  const helpTable: KeyTable = {
    title: "help",
    screen: [{ keys: "any key", does: "close", footer: "close" }],
    global: [],
  };

  const engineText = engineSnap.lastLog ? `${engineSnap.text} — ${engineSnap.lastLog}` : engineSnap.text;
  return (
    <NavContext.Provider value={nav}>
      <MemoryContext.Provider value={memory}>
        <KeyTablesContext.Provider value={tables}>
          <Box flexDirection="column" width={width} height={height}>
            <Header tabs={TOP_SCREENS} current={topOf(view)} project={store.projectDir} width={width} />
            {demo ? (
              <Text color={color("yellow")} bold wrap="truncate-end">
                {width >= DEMO_NOTICE.length ? DEMO_NOTICE : DEMO_NOTICE_SHORT}
              </Text>
            ) : null}
            <Box height={bodyHeight} flexDirection="column">
              {body}
            </Box>
            <StatusLine
              engine={engineText}
              counts={counts}
              flash={flash}
              width={width}
              notice={connectionNotice(clusters)}
            />
            <Footer table={question ? LOGIN_TABLE : help ? helpTable : table} width={width} />
          </Box>
        </KeyTablesContext.Provider>
      </MemoryContext.Provider>
    </NavContext.Provider>
  );
}
