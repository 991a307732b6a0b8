// Contestants 4 and 5 deployed as a Node.js start-up snapshot: `build.mjs` bundles this file as
// CommonJS and runs `node --snapshot-blob ours.snapshot.blob --build-snapshot` on it, which
// evaluates every module (Effect's and ours) once, at build time, and saves the heap. A run is
// then `node --snapshot-blob ours.snapshot.blob pipe|pty`: Node deserializes that heap instead of
// parsing and evaluating the modules, and calls the function below.
import * as v8 from "node:v8"
import { readEnvironment } from "./common.mjs"
import { main } from "./ours.js"

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // the environment of this run, not of the build
  readEnvironment()
  // started from a snapshot, the arguments follow node's path at once (no script path between)
  void main(process.argv[1] === "pty" ? "pty" : "pipe")
})
