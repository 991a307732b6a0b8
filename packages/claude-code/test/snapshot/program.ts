/**
 * A program that uses the library, for Snapshot.test.ts to build into a Node.js start-up snapshot
 * (bundled as CommonJS, then `node --build-snapshot`). Building it evaluates every module and runs
 * nothing; `node --snapshot-blob <blob> <executable> <pty|pipe> <prompt>` then makes one
 * `ClaudeCode.run` and prints what it folded as one JSON line.
 */
import * as Effect from "effect/Effect"
import * as v8 from "node:v8"
import { ClaudeCode } from "../../src/index.js"
import { summary } from "./summary.js"

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // started from a snapshot, the arguments follow node's path at once (no script path between)
  const [executable, transport, prompt] = process.argv.slice(1)
  Effect.runPromise(ClaudeCode.run(prompt!, { executable: executable!, transport: transport as ClaudeCode.Transport }))
    .then(
      (result) => {
        process.stdout.write(JSON.stringify(summary(result)) + "\n")
      },
      (error) => {
        process.stderr.write(`${error}\n`)
        process.exitCode = 1
      }
    )
})
