// Compiles our two contestants (TypeScript, importing the workspace's TypeScript sources) into one
// ES module each under results/build/, with esbuild: what a user's compiled program loads, without
// a TypeScript loader in the way (tsx adds ~0.5 s of per-module hook overhead to every start).
// node-pty stays external: it is a native addon, found from the bundle through node resolution.
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/** How every bundle of the benchmark is built (the contestants, and memory-floor.mjs's loaded bundles). */
export const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // the workspace packages' sources (their exports list this condition first), never a stale dist/
  conditions: ["@effect-claude-code/source"],
  sourcemap: "linked",
  logLevel: "warning",
  // CommonJS dependencies inside an ES module bundle need a `require`
  banner: {
    js:
      "import { createRequire as __benchCreateRequire } from \"node:module\"; const require = __benchCreateRequire(import.meta.url);"
  }
}

export const build = async () => {
  await esbuild.build({
    ...common,
    // named entry points: every bundle lands directly in results/build/ (with a list, esbuild would
    // mirror the common source directory and put the contestants under results/build/contestants/)
    entryPoints: {
      ...Object.fromEntries(
        ["ours-pipe", "ours-pty", "interrupt", "effect-floor", "effect-floor-importing-ours"].map((
          name
        ) => [name, path.join(here, `contestants/${name}.ts`)])
      ),
      stages: path.join(here, "stages.ts"),
      transport: path.join(here, "transport.ts")
    },
    outdir: path.join(here, "results/build"),
    outExtension: { ".js": ".mjs" },
    external: ["node-pty"]
  })
  // The floor and ours built another way, as `<name>.<suffix>.mjs`.
  const variant = (suffix, options) =>
    esbuild.build({
      ...common,
      entryPoints: Object.fromEntries(
        ["ours-pipe", "effect-floor"].map((name) => [`${name}.${suffix}`, path.join(here, `contestants/${name}.ts`)])
      ),
      outdir: path.join(here, "results/build"),
      outExtension: { ".js": ".mjs" },
      ...options
    })
  // Effect and @effect/* left out of the bundle: Node loads them from node_modules at run time,
  // module by module, as a program that is not bundled does (our own packages stay bundled, as
  // they would be in a published single-file build).
  await variant("unbundled", { external: ["node-pty", "effect", "@effect/*"] })
  // Minified (esbuild's --minify), as a program may be deployed: V8 then has less than half the
  // text to parse when the bundle loads.
  await variant("min", { external: ["node-pty"], minify: true })
  await snapshot()
  return (name) => path.join(here, "results/build", `${name}.mjs`)
}

/** The start-up snapshot of ours (contestants/ours-snapshot.ts), with the node that runs the bench. */
export const SNAPSHOT_BLOB = path.join(here, "results/build/ours.snapshot.blob")

const snapshot = async () => {
  const bundle = path.join(here, "results/build/ours.snapshot.cjs")
  await esbuild.build({
    ...common,
    // a snapshot is built from one CommonJS script (no ES module loader at build time)
    format: "cjs",
    banner: {},
    // common.mjs finds the fake from its own URL (BENCH_FAKE, which run.mjs sets, comes first)
    define: { "import.meta.url": JSON.stringify(pathToFileURL(path.join(here, "contestants/common.mjs")).href) },
    entryPoints: [path.join(here, "contestants/ours-snapshot.ts")],
    outfile: bundle,
    sourcemap: false,
    external: ["node-pty"]
  })
  // Node 20 warns that node:child_process, node:tty and node:module are "not yet fully verified"
  // in snapshots; the run is checked like every other contestant's (same events, text, session, cost).
  const built = spawnSync(process.execPath, ["--snapshot-blob", SNAPSHOT_BLOB, "--build-snapshot", bundle], {
    cwd: here,
    encoding: "utf8",
    timeout: 60_000
  })
  if (built.status !== 0) {
    throw new Error(`building the start-up snapshot failed (${built.status ?? built.signal}):\n${built.stderr}`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log((await build())("*"))
