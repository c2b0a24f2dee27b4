// A stand-in for CRYSTAL's `properties` program in tests of properties jobs (the project's stand-in
// has no recording of a real properties run yet): it records how it was started and what its run
// folder held, refuses to run without its wavefunction (fort.9, or fort.98 with RDFMWF) as
// properties does, and writes the data files properties writes (fort.25, BAND.DAT, DOSS.DAT). Its
// stdout is a recorded CRYSTAL output, so the parser reads a finished run. Labelled as a stand-in in
// its first line.
import fs from "node:fs";
import path from "node:path";
import { FIXTURES } from "../helpers/project.js";

const OUTPUT = path.join(FIXTURES, "aiida-crystal17__mgo_sto3g_scf.out");

export function installFakeProperties(exedir: string, log: string): void {
  const script = `#!/bin/sh
# crystal-tui's test stand-in for CRYSTAL's properties (not CRYSTAL): records its start, writes data files
deck=$(cat)
printf '%s ranks=%s files=%s\\n' "$(basename "$0")" "\${OMPI_COMM_WORLD_SIZE:-\${PMI_SIZE:-1}}" "$(ls | sort | tr '\\n' ' ')" >> ${JSON.stringify(log)}
need=fort.9
case $deck in *RDFMWF*) need=fort.98;; esac
if [ ! -s "$need" ]; then echo " ERROR **** PROPERTIES **** $need NOT FOUND"; exit 1; fi
printf 'bands from the wavefunction: %s\\n' "$(head -c 32 "$need" | tr -dc 'A-Za-z0-9 ')" > fort.25
echo "BAND.DAT of the test stand-in" > BAND.DAT
echo "DOSS.DAT of the test stand-in" > DOSS.DAT
cat ${JSON.stringify(OUTPUT)}
`;
  for (const name of ["properties", "Pproperties"]) {
    fs.writeFileSync(path.join(exedir, name), script);
    fs.chmodSync(path.join(exedir, name), 0o755);
  }
  fs.writeFileSync(log, "");
  fs.chmodSync(log, 0o666);
}

/** A properties deck: a band structure and a density of states. */
export const BANDS_D3 =
  "NEWK\n8 8\n1 0\nBAND\nMgO\n2 8 100 1 6 1 0\n0 0 0 4 4 4\n4 4 4 4 0 4\nDOSS\n0 100 4 9 1 12 0\nEND\n";
