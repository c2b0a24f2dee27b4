// `y` copies through the terminal itself (OSC 52, "set the clipboard" — as tmux, vim and lazygit do):
// it works over SSH and needs no xclip / wl-copy / pbcopy on the machine the TUI runs on. Terminals
// that refuse OSC 52 (or tmux without `set-clipboard on`) ignore the sequence; the flash still shows
// what was meant, so the user can copy it by hand.

/** Where the sequence goes: the TUI's terminal (launch.tsx), or a test's. None: nothing is sent. */
let terminal: ((sequence: string) => void) | null = null;

export function setClipboardTerminal(write: ((sequence: string) => void) | null): void {
  terminal = write;
}

/** The OSC 52 sequence that puts `text` on the terminal's clipboard ("c"). */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, "utf8").toString("base64")}\x07`;
}

/** Sends `text` to the terminal's clipboard; false when there is no terminal to send it to. */
export function copyToClipboard(text: string): boolean {
  if (!terminal) return false;
  terminal(osc52(text));
  return true;
}
