// How much a one-event run would gain if this library built its event model (the Schema classes of
// ClaudeEvent, ClaudeResult and ClaudeError, and the modules between them) only after the CLI is
// spawned, while the CLI starts up, instead of when the program loads: an upper bound for loading
// the model lazily, measured before building it.
//
// It copies our two bundles (as run.mjs builds them) and moves those modules' statements into a
// function called right after the spawn, where the decoders are warmed up (transport.ts): a
// declaration stays where it was when it runs nothing (a function, a plain class, a literal), the
// rest runs in that function. The run's fold is made on first use. No dynamic import() and no
// change to the bundle's other code: nothing a real lazy load costs is paid, so the figure is a
// bound. Each copy is checked to agree with its original (events, text, session id, cost).
//
//   node bench/lazy-model.mjs [--runs R]
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "./build.mjs"
import { inTurn, median, positiveIntegerArg, summaryOf } from "./scavenges.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const RUNS = positiveIntegerArg("--runs", 21)
const FAKE = path.join(here, "fake-claude-bench.mjs")
// the repository's TypeScript (a devDependency of the workspace root) parses the bundle
const ts = createRequire(path.join(here, "..", "package.json"))("typescript")

const built = await build()

/** The bundle's first and last module of the model (esbuild writes a `// <path>` line at each). */
const FIRST = "// packages/claude-code/src/internal/decodeError.ts"
const AFTER = "// packages/claude-code/src/internal/args.ts"

/** An expression whose evaluation runs no code of the model (so it may stay where it is). */
const inert = (node) => {
  if (node === undefined) return true
  switch (node.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return true
    case ts.SyntaxKind.ClassExpression:
      return node.heritageClauses === undefined
    case ts.SyntaxKind.PrefixUnaryExpression:
      return inert(node.operand)
    case ts.SyntaxKind.BinaryExpression:
      return inert(node.left) && inert(node.right)
    case ts.SyntaxKind.ArrayLiteralExpression:
      return node.elements.every(inert)
    case ts.SyntaxKind.ObjectLiteralExpression:
      return node.properties.every((p) =>
        p.kind === ts.SyntaxKind.PropertyAssignment && p.name.kind !== ts.SyntaxKind.ComputedPropertyName &&
        inert(p.initializer)
      )
    default:
      return false
  }
}

const lazyCopy = (name) => {
  const text = fs.readFileSync(built(name), "utf8")
  const from = text.indexOf(`\n${FIRST}\n`)
  const to = text.indexOf(`\n${AFTER}\n`)
  if (from < 0 || to < from) {
    throw new Error(`${name}: the model's modules were not found; has esbuild's output changed?`)
  }
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS)
  const names = []
  const kept = []
  const moved = []
  for (const statement of source.statements) {
    const start = statement.getStart(source)
    if (start < from || statement.end > to) continue
    const code = text.slice(start, statement.end)
    if (
      statement.kind === ts.SyntaxKind.FunctionDeclaration ||
      (statement.kind === ts.SyntaxKind.ClassDeclaration && statement.heritageClauses === undefined) ||
      (ts.isVariableStatement(statement) &&
        statement.declarationList.declarations.every((d) => inert(d.initializer)))
    ) {
      kept.push(code)
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) names.push(d.name.text)
      moved.push(code.replace(/^(var|let|const)\s+/, ""))
    } else if (ts.isClassDeclaration(statement)) {
      names.push(statement.name.text)
      moved.push(`${statement.name.text} = ${code};`)
    } else {
      moved.push(code)
    }
  }
  const model = `var ${names.join(", ")};\n${kept.join("\n")}\nvar __modelBuilt = false;\n` +
    `function __buildModel() {\n  if (__modelBuilt) return;\n  __modelBuilt = true;\n${moved.join("\n")}\n}\n`
  let copy = text.slice(0, from + 1) + model + text.slice(to + 1)
  const patch = (pattern, replace, what) => {
    const before = copy
    copy = copy.replace(pattern, replace)
    if (copy === before) throw new Error(`${name}: ${what} not found; has the source or esbuild's output changed?`)
  }
  // transport.ts: `Effect.tap(spawn(spec), () => Effect.sync(warmUp))`
  patch(
    /(var warmingUp = .*?sync\d*\()warmUp\)/,
    "$1() => { __buildModel(); warmUp(); })",
    "the warm-up after the spawn"
  )
  // runner.ts's makeState runs before the spawn: its Folder (a ClaudeResult draft) is made on first use
  patch(
    /fold: new Folder\((\w+), \{ keepText \}\),/,
    "get fold() { return this.__fold ??= new Folder($1, { keepText }) },",
    "makeState's fold"
  )
  const file = path.join(path.dirname(built(name)), `${name}.lazy-model.mjs`)
  fs.writeFileSync(file, copy)
  return { file, moved: names.length }
}

const contestants = [
  { name: "raw pipes", file: path.join(here, "contestants/raw-pipe.mjs") },
  { name: "Effect floor", file: built("effect-floor") },
  { name: "ours, pipe", file: built("ours-pipe") },
  { name: "ours, pipe, model built after the spawn", ...lazyCopy("ours-pipe") },
  { name: "ours, PTY", file: built("ours-pty") },
  { name: "ours, PTY, model built after the spawn", ...lazyCopy("ours-pty") }
].map((contestant) => ({ ...contestant, walls: [], summaries: [] }))

const runOnce = (contestant) => {
  const started = performance.now()
  const child = spawnSync(process.execPath, [contestant.file], {
    env: { ...process.env, BENCH_EVENTS: "1", BENCH_FAKE: FAKE },
    encoding: "utf8"
  })
  const wall = performance.now() - started
  if (child.status !== 0) throw new Error(`${contestant.name} failed (${child.status}): ${child.stderr}`)
  const summary = summaryOf(child.stdout)
  contestant.walls.push(wall)
  contestant.summaries.push(JSON.stringify([summary.events, summary.textHash, summary.sessionId, summary.cost]))
}

for (let i = 0; i < RUNS; i++) {
  for (const contestant of inTurn(contestants, i)) runOnce(contestant)
  process.stderr.write(".")
}
process.stderr.write("\n")

const expected = contestants[0].summaries[0]
for (const contestant of contestants) {
  const other = contestant.summaries.find((summary) => summary !== expected)
  if (other !== undefined) throw new Error(`${contestant.name} disagrees: ${other} instead of ${expected}`)
}

const raw = median(contestants[0].walls)
console.log(`# A one-event run, whole process (${RUNS} interleaved runs, medians, wall ms)\n`)
console.log("| contestant | wall ms | over raw pipes |")
console.log("| --- | ---: | ---: |")
for (const contestant of contestants) {
  const wall = median(contestant.walls)
  const moved = contestant.moved === undefined ? "" : ` (${contestant.moved} declarations moved)`
  console.log(`| ${contestant.name}${moved} | ${wall.toFixed(1)} | +${(wall - raw).toFixed(1)} |`)
}
