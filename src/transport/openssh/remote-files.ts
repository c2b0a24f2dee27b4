// The remote side of the OpenSSH shell's file operations: small POSIX sh scripts run with the
// arguments as "$1" "$2" … (never pasted into the text), so a path with any character arrives as it
// is; each answers in a way the shell reads back (a size line, MISSING / NONE, an exit code).
import type { RemoteStat } from "../remote-shell.js";

/** The code RemoteFileError carries for "does not exist" (as SFTP's). */
export const NO_SUCH_FILE = 2;

// $1 path → "size mtime mode-hex" or MISSING
export const STAT = `[ -e "$1" ] || { echo MISSING; exit 0; }; stat -L -c '%s %Y %f' -- "$1"`;
// $1 folder → "size mtime mode-hex name\\0" per entry (dot files too, not . and ..)
export const LIST = `cd -- "$1" 2>/dev/null || { [ -e "$1" ] && exit 4; exit 3; }
for f in * .[!.]* ..?*; do
  if [ -e "$f" ] || [ -L "$f" ]; then stat --printf '%s %Y %f %n\\0' -- "$f"; fi
done`;
// $1 path $2 most bytes → the file, or exit 3 (missing) / 4 SIZE (too big)
export const READ = `[ -f "$1" ] || exit 3
s=$(wc -c < "$1") || exit 5
if [ $s -gt "$2" ]; then echo $s; exit 4; fi
exec cat -- "$1"`;
// $1 path $2 offset $3 most bytes → "SIZE\\n" then bytes from the offset, or NONE
export const READ_FROM = `[ -f "$1" ] || { echo NONE; exit 0; }
s=$(wc -c < "$1") || exit 5
echo $s
if [ "$2" -lt $s ]; then tail -c +$(($2 + 1)) -- "$1" | head -c "$3"; fi`;
// $1 folder (must not exist) $2 its parent ← a tar stream of plain files; then "$@" after them, if any
// (one mkdir in the usual case: the parent is made only when the first try says it is missing)
export const WRITE_FILES = `if ! mkdir -- "$1" 2>/dev/null; then
  [ -e "$1" ] && { echo "$1 exists already" >&2; exit 97; }
  { mkdir -p -- "$2" && mkdir -- "$1"; } || exit 96
fi
cd -- "$1" && tar -xf - || exit 96
shift 2
[ $# -eq 0 ] || exec "$@"`;
// $1 target $2 temporary name $3 size $4 mode ← the file's bytes
export const UPLOAD = `cat > "$2" || { rm -f -- "$2"; exit 5; }
n=$(wc -c < "$2")
if [ $n -eq "$3" ]; then chmod "$4" "$2" && mv -f -- "$2" "$1" && echo "OK $n"; else rm -f -- "$2"; echo "SHORT $n"; fi`;
// $1 path → "SIZE\\n" then the file
export const DOWNLOAD = `[ -f "$1" ] || exit 3
s=$(wc -c < "$1") || exit 5
echo $s
exec cat -- "$1"`;
// $1 path $2 recursive(1/0)
export const REMOVE = `if [ -d "$1" ] && [ ! -L "$1" ]; then
  if [ "$2" = 1 ]; then exec rm -rf -- "$1"; else echo "is a folder" >&2; exit 4; fi
fi
exec rm -f -- "$1"`;

/** A `stat -c '%s %Y %f'` answer as the shell's RemoteStat. */
export function statOf([size, mtime, modeHex]: string[]): RemoteStat {
  const mode = Number.parseInt(modeHex ?? "0", 16);
  const type = mode & 0o170000;
  return {
    size: Number(size),
    mtime: Number(mtime),
    mode,
    isDirectory: type === 0o040000,
    isFile: type === 0o100000,
  };
}
