// Where the time goes: runs contestants under `node --cpu-prof` and summarises the profiles by
// self time (per function, per source file, per package), mapping the bundled code back to the
// TypeScript sources through esbuild's source map.
//
//   node bench/profile.mjs [--events N] [--consume fold|stream] [--block K] [--top T] [contestant...]
//
// contestants: ours-pipe, ours-pty (default both), raw-pipe, raw-pty, sdk. Profiles are kept in
// bench/results/prof/ (open them in Chrome DevTools or speedscope for the call trees).
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { build } from "./build.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, "..")
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(name)
  if (i < 0) return fallback
  const value = args[i + 1]
  args.splice(i, 2)
  return value
}
const N = option("--events", "100000")
const CONSUME = option("--consume", "fold")
const BLOCK = option("--block", "0")
const TOP = Number(option("--top", "30"))
const INTERVAL = option("--interval", "250")
const names = args.length > 0 ? args : ["ours-pipe", "ours-pty"]

const built = await build()
const entry = {
  "raw-pipe": path.join(here, "contestants/raw-pipe.mjs"),
  "raw-pty": path.join(here, "contestants/raw-pty.mjs"),
  sdk: path.join(here, "contestants/sdk.mjs"),
  "ours-pipe": built("ours-pipe"),
  "ours-pty": built("ours-pty"),
  "effect-floor": built("effect-floor")
}
const profDir = path.join(here, "results/prof")
fs.mkdirSync(profDir, { recursive: true })

// -----------------------------------------------------------------------------------------------
// Source maps (esbuild's, version 3): generated (line, column) -> original source
// -----------------------------------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const b64 = new Map([...B64].map((c, i) => [c, i]))
const loadSourceMap = (file) => {
  const mapFile = file + ".map"
  if (!fs.existsSync(mapFile)) return undefined
  const map = JSON.parse(fs.readFileSync(mapFile, "utf8"))
  const sources = map.sources.map((s) => path.resolve(path.dirname(mapFile), map.sourceRoot ?? "", s))
  const lines = []
  let srcIdx = 0
  let srcLine = 0
  let srcCol = 0
  for (const lineText of map.mappings.split(";")) {
    const segments = []
    let genCol = 0
    if (lineText.length > 0) {
      for (const seg of lineText.split(",")) {
        const values = []
        let value = 0
        let shift = 0
        for (const c of seg) {
          const digit = b64.get(c)
          value += (digit & 31) << shift
          if (digit & 32) shift += 5
          else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1)
            value = 0
            shift = 0
          }
        }
        genCol += values[0]
        if (values.length >= 4) {
          srcIdx += values[1]
          srcLine += values[2]
          srcCol += values[3]
          segments.push([genCol, srcIdx, srcLine, srcCol])
        }
      }
    }
    lines.push(segments)
  }
  return (line, column) => {
    const segments = lines[line]
    if (!segments || segments.length === 0) return undefined
    let best = segments[0]
    for (const s of segments) {
      if (s[0] <= column) best = s
      else break
    }
    return { source: sources[best[1]], line: best[2] + 1 }
  }
}

const where = (file) => {
  const rel = path.relative(repo, file)
  const nm = rel.lastIndexOf("node_modules/")
  if (nm >= 0) {
    const rest = rel.slice(nm + "node_modules/".length).split("/")
    const pkg = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
    const inPkg = rest.slice(rest[0].startsWith("@") ? 2 : 1).join("/")
    return { pkg, file: `${pkg}/${inPkg.replace(/^dist\/(esm|cjs)\//, "")}` }
  }
  const m = /^packages\/([^/]+)\//.exec(rel)
  if (m) return { pkg: `packages/${m[1]}`, file: rel }
  if (rel.startsWith("bench/")) return { pkg: "bench", file: rel }
  return { pkg: rel, file: rel }
}

// -----------------------------------------------------------------------------------------------
// Profiles
// -----------------------------------------------------------------------------------------------

const summarize = (name, profileFile) => {
  const profile = JSON.parse(fs.readFileSync(profileFile, "utf8"))
  const maps = new Map()
  const mapFor = (url) => {
    if (!maps.has(url)) {
      let lookup
      if (url.startsWith("file://")) lookup = loadSourceMap(fileURLToPath(url))
      maps.set(url, lookup)
    }
    return maps.get(url)
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map() // node id -> µs
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0
    const id = profile.samples[i]
    self.set(id, (self.get(id) ?? 0) + dt)
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const byFunction = new Map()
  const byFile = new Map()
  const byPkg = new Map()
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us)
  for (const [id, us] of self) {
    const { callFrame } = nodes.get(id)
    const fn = callFrame.functionName || "(anonymous)"
    let file
    let pkg
    let line = callFrame.lineNumber + 1
    if (!callFrame.url) {
      file = fn.startsWith("(") ? fn : "(native)"
      pkg = file
    } else if (callFrame.url.startsWith("node:")) {
      file = callFrame.url
      pkg = "node (internals)"
    } else {
      const mapped = mapFor(callFrame.url)?.(callFrame.lineNumber, callFrame.columnNumber)
      const w = where(mapped ? mapped.source : fileURLToPath(callFrame.url))
      file = w.file
      pkg = w.pkg
      if (mapped) line = mapped.line
    }
    add(byFunction, `${fn}  ${file}:${line}`, us)
    add(byFile, file, us)
    add(byPkg, pkg, us)
  }
  const top = (map, n) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, us]) => ({
      key,
      ms: Math.round(us / 100) / 10,
      pct: Math.round((us / total) * 1000) / 10
    }))
  return {
    name,
    totalMs: Math.round(total / 1000),
    functions: top(byFunction, TOP),
    files: top(byFile, 20),
    packages: top(byPkg, 12)
  }
}

const print = (s) => {
  console.log(
    `\n## ${s.name}: N = ${N}, consume = ${CONSUME}${
      BLOCK !== "0" ? `, block = ${BLOCK}` : ""
    }, ${s.totalMs} ms sampled (main thread)\n`
  )
  const show = (title, rows) => {
    console.log(`### ${title}\n`)
    console.log("| self ms | % | where |")
    console.log("| ---: | ---: | --- |")
    for (const r of rows) console.log(`| ${r.ms} | ${r.pct} | ${r.key.replace(/\|/g, "\\|")} |`)
    console.log()
  }
  show("by package", s.packages)
  show("by file", s.files)
  show(`top ${TOP} functions by self time`, s.functions)
}

for (const name of names) {
  const file = entry[name]
  if (!file) throw new Error(`unknown contestant ${name}`)
  const profName = `${name}-N${N}-${CONSUME}${BLOCK !== "0" ? `-b${BLOCK}` : ""}.cpuprofile`
  const env = {
    ...process.env,
    BENCH_FAKE: path.join(here, "fake-claude-bench.mjs"),
    BENCH_EVENTS: N,
    BENCH_CONSUME: CONSUME,
    BENCH_BLOCK: BLOCK
  }
  const run = spawnSync(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${profName}`, `--cpu-prof-interval=${INTERVAL}`, file],
    { cwd: here, env, encoding: "utf8" }
  )
  if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`)
  console.log(`\n${run.stdout.trim()}`)
  print(summarize(name, path.join(profDir, profName)))
}
void pathToFileURL
