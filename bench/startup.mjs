// Where a bundled one-event run's start-up goes, module by module: the Effect floor's and our
// contestant's bundles (as run.mjs builds them), each copied with a timestamp at the start of every
// module's code (esbuild writes a `// <path>` line there) and a count of the Schema classes that
// Effect's Schema makes (one per schema value: `make(ast)` returns a new class), run with one event
// under a preload that notes when the CLI is spawned. It prints, as medians of interleaved runs:
//   - the timeline: the bundle's code starts (Node's start and the bundle's compilation before it),
//     its modules are evaluated, the contestant is ready (its `main` runs), the CLI is spawned, done;
//   - for ours, each module's evaluation time and the Schema classes it made.
// The markers cost ~1 µs each (~220 of them); the figures are for comparing, not absolute.
//
//   node bench/startup.mjs [--runs R]
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { build } from "./build.mjs"
import { inTurn, median, positiveIntegerArg, summaryOf } from "./scavenges.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const RUNS = positiveIntegerArg("--runs", 10)
const FAKE = path.join(here, "fake-claude-bench.mjs")
const out = path.join(here, "results/build")

const built = await build()

// The preload: when the CLI (not the watchdog's /bin/sh) is spawned, on the clock of
// performance.now(), printed at exit with the probe's other figures.
const preload = path.join(out, "startup-preload.mjs")
fs.writeFileSync(
  preload,
  `import { createRequire, syncBuiltinESMExports } from "node:module"
const require = createRequire(import.meta.url)
const childProcess = require("node:child_process")
const spawn = childProcess.spawn
globalThis.__startupProbe = { marks: [], schemas: 0, spawned: undefined }
childProcess.spawn = function(command, ...rest) {
  if (globalThis.__startupProbe.spawned === undefined && command !== "/bin/sh") {
    globalThis.__startupProbe.spawned = performance.now()
  }
  return spawn.call(this, command, ...rest)
}
syncBuiltinESMExports()
process.on("exit", () => {
  const probe = globalThis.__startupProbe
  process.stderr.write("startup-probe " + JSON.stringify(probe) + "\\n")
})
`
)

/** The bundle with a mark at the start of each module's code, and Effect's Schema classes counted. */
const instrument = (name) => {
  const source = fs.readFileSync(built(name), "utf8")
  let marks = 0
  const lines = source.split("\n").map((line) => {
    const module = /^\/\/ ((?:\.\.\/|node_modules\/)\S+|\S+\.(?:ts|mjs|js))$/.exec(line)?.[1]
    if (module === undefined) return line
    marks++
    return `globalThis.__startupProbe.marks.push([${
      JSON.stringify(module)
    }, performance.now(), globalThis.__startupProbe.schemas]);\n${line}`
  })
  let text = lines.join("\n")
  const make = /(function make\d*\(ast\) \{\n)( {2}return class SchemaClass \{)/
  const counted = make.test(text)
  if (counted) text = text.replace(make, "$1  globalThis.__startupProbe.schemas++;\n$2")
  const file = path.join(out, `${name}.startup.mjs`)
  fs.writeFileSync(file, text)
  if (marks < 50) throw new Error(`${name}: only ${marks} module markers found; has esbuild's output changed?`)
  return { file, counted }
}

const contestants = ["effect-floor", "ours-pipe"].map((name) => ({ name, ...instrument(name), runs: [] }))

const runOnce = (contestant) => {
  const child = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, contestant.file], {
    env: { ...process.env, BENCH_EVENTS: "1", BENCH_FAKE: FAKE },
    encoding: "utf8"
  })
  if (child.status !== 0) throw new Error(`${contestant.name} failed: ${child.stderr}`)
  const summary = summaryOf(child.stdout)
  const probeLine = child.stderr.split("\n").find((line) => line.startsWith("startup-probe "))
  const probe = JSON.parse(probeLine.slice("startup-probe ".length))
  // The last mark is the entry's (the contestant's own module, last in the bundle): its code runs
  // the contestant's main at once, so the modules are evaluated when it starts.
  const marks = probe.marks
  const modules = new Map()
  for (let i = 0; i + 1 < marks.length; i++) {
    const [module, at, schemas] = marks[i]
    const [, next, nextSchemas] = marks[i + 1]
    const key = packageOf(module)
    const entry = modules.get(key) ?? { ms: 0, schemas: 0 }
    entry.ms += next - at
    entry.schemas += nextSchemas - schemas
    modules.set(key, entry)
  }
  return {
    codeStarts: marks[0][1],
    evaluated: marks.at(-1)[1],
    ready: summary.readyMs,
    spawned: probe.spawned,
    done: summary.doneMs,
    schemas: marks.at(-1)[2],
    modules
  }
}

/** Effect's and the platform's modules by package; ours by file. */
const packageOf = (module) => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)
  if (dependency !== null) return dependency[1]
  return module.replace(/^(\.\.\/)+/, "")
}

for (let i = 0; i < RUNS; i++) {
  for (const contestant of inTurn(contestants, i)) {
    contestant.runs.push(runOnce(contestant))
  }
  process.stderr.write(".")
}
process.stderr.write("\n")

const ms = (value) => value.toFixed(1)

console.log(`# Start-up of a one-event run, bundled (${RUNS} interleaved runs, medians, ms from the process's start)\n`)
console.log("| contestant | code starts | modules evaluated | ready | CLI spawned | done | Schema classes made |")
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (const contestant of contestants) {
  const m = (pick) => median(contestant.runs.map(pick))
  console.log(
    `| ${contestant.name} | ${ms(m((run) => run.codeStarts))} | ${ms(m((run) => run.evaluated))} | ${
      ms(m((run) => run.ready))
    } | ${ms(m((run) => run.spawned))} | ${ms(m((run) => run.done))} | ${
      contestant.counted ? m((run) => run.schemas) : "n/a"
    } |`
  )
}

const ours = contestants.find((contestant) => contestant.name === "ours-pipe")
const keys = new Set(ours.runs.flatMap((run) => [...run.modules.keys()]))
const rows = [...keys].map((key) => ({
  key,
  ms: median(ours.runs.map((run) => run.modules.get(key)?.ms ?? 0)),
  schemas: median(ours.runs.map((run) => run.modules.get(key)?.schemas ?? 0))
})).sort((a, b) => b.ms - a.ms)
console.log(`\n## ours-pipe: evaluation by module (Effect and the platform by package), the ones over 0.2 ms\n`)
console.log("| module | evaluation ms | Schema classes made |")
console.log("| --- | ---: | ---: |")
for (const row of rows.filter((row) => row.ms > 0.2)) {
  console.log(`| ${row.key} | ${row.ms.toFixed(2)} | ${ours.counted ? row.schemas : "n/a"} |`)
}
const total = rows.reduce((sum, row) => sum + row.ms, 0)
const library = rows.filter((row) => row.key.startsWith("packages/")).reduce((sum, row) => sum + row.ms, 0)
console.log(`\nall modules ${total.toFixed(1)} ms, of which this library's packages ${library.toFixed(1)} ms`)
