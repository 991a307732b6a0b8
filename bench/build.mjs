// Compiles our two contestants (TypeScript, importing the workspace's TypeScript sources) into one
// ES module each under results/build/, with esbuild: what a user's compiled program loads, without
// a TypeScript loader in the way (tsx adds ~0.5 s of per-module hook overhead to every start).
// node-pty stays external: it is a native addon, found from the bundle through node resolution.
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

const common = {
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
  return (name) => path.join(here, "results/build", `${name}.mjs`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log((await build())("*"))
