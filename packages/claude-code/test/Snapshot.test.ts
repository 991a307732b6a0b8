/**
 * A program that uses the library, deployed as a Node.js start-up snapshot (README, "Start-up
 * snapshot"): bundled as CommonJS with esbuild, built with `node --build-snapshot`, started with
 * `node --snapshot-blob`. The snapshot holds the heap after every module (Effect's and ours) has
 * been evaluated, so importing the library must do nothing that belongs to one process: start no
 * handle (a timer, a child, a socket: the build waits for it to end, forever), and keep nothing
 * from the environment that a run then uses. On a PTY the run also loads node-pty, at run time,
 * from a CommonJS bundle (where `import.meta.url` is empty).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import { summary } from "./snapshot/summary.js"
import { fakeClaude, transports } from "./utils/claudeTest.js"
import { assertGone } from "./utils/processes.js"

const PROMPT = "--a prompt that starts like a flag"

describe("a start-up snapshot of a program using the library", () => {
  it.scoped(
    "builds, and its runs fold what the same runs fold in this process, on both transports",
    () =>
      Effect.gen(function*() {
        const dir = yield* ClaudeEnv.tempDirectory("claude-snapshot-")
        const bundle = Path.join(dir, "program.cjs")
        const blob = Path.join(dir, "program.blob")
        yield* Effect.promise(() =>
          esbuild.build({
            entryPoints: [Path.join(import.meta.dirname, "snapshot/program.ts")],
            bundle: true,
            platform: "node",
            format: "cjs",
            target: "node20",
            conditions: ["@effect-claude-code/source"],
            external: ["node-pty"],
            outfile: bundle,
            logLevel: "silent"
          })
        )
        const built = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", bundle], {
          encoding: "utf8",
          timeout: 60_000
        })
        assert.strictEqual(
          built.status,
          0,
          built.error !== undefined
            ? `building the snapshot did not end (${built.error}): something started at import keeps it waiting`
            : `building the snapshot failed: ${built.stderr}`
        )

        for (const transport of transports) {
          const envFile = Path.join(dir, `env-${transport}.json`)
          const pidFile = Path.join(dir, `pid-${transport}`)
          // Both only in the environment of the run, never of the build: the library must read the
          // environment when it starts the CLI (which writes its pid and environment into them).
          const run = spawnSync(process.execPath, ["--snapshot-blob", blob, fakeClaude, transport, PROMPT], {
            encoding: "utf8",
            timeout: 60_000,
            env: {
              ...process.env,
              FAKE_CLAUDE_ENV_FILE: envFile,
              FAKE_CLAUDE_PID_FILE: pidFile,
              SNAPSHOT_RUN: transport
            }
          })
          assert.strictEqual(run.status, 0, `the ${transport} run: ${run.error ?? run.stderr}`)
          const folded = JSON.parse(run.stdout.trim().split("\n").at(-1)!)

          const here = yield* ClaudeCode.run(PROMPT, { executable: fakeClaude, transport })
          assert.strictEqual(here.text, PROMPT, "the fake echoes the prompt")
          assert.deepStrictEqual(folded, summary(here))
          assert.strictEqual(JSON.parse(Fs.readFileSync(envFile, "utf8")).SNAPSHOT_RUN, transport)
          yield* assertGone(Number(Fs.readFileSync(pidFile, "utf8")))
        }
      }),
    120_000
  )
})
