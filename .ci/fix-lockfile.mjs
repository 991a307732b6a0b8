#!/usr/bin/env node
// The npm registry these machines reach lacks some per-platform optional packages (e.g. most of
// rollup's @rollup/rollup-<os>-<cpu> builds at the pinned version). `npm install` then leaves them
// out of package-lock.json, and `npm ci` refuses the lockfile ("Missing: ... from lock file"). On
// any machine these packages are skipped for a foreign platform anyway, so this adds the missing
// entries with their platform (os / cpu / libc, read from the package name) and no tarball: npm ci
// accepts the lockfile and installs only the build for the machine it runs on.
// Run it after every `npm install` that changes the lockfile: `node .ci/fix-lockfile.mjs`.
import * as fs from "node:fs"

const file = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(fs.readFileSync(file, "utf8"))
const packages = lock.packages
const added = []

const platformOf = (name) => {
  const m = /-(android|darwin|freebsd|linux|openbsd|openharmony|win32|sunos|aix)-([a-z0-9]+)(?:-([a-z]+))?$/.exec(name)
  if (m === null) return undefined
  const [, os, cpu, abi] = m
  const entry = { cpu: [cpu === "arm" && abi === "eabi" ? "arm" : cpu], os: [os] }
  if (os === "linux" && abi !== undefined) {
    if (abi.startsWith("musl")) entry.libc = ["musl"]
    else if (abi.startsWith("gnu")) entry.libc = ["glibc"]
  }
  return entry
}

for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path === "" ? "" : path + "/"}node_modules/${dep}`
    if (packages[nested] !== undefined || packages[`node_modules/${dep}`] !== undefined) continue
    const platform = platformOf(dep)
    if (platform === undefined) continue
    packages[`node_modules/${dep}`] = {
      version,
      ...platform,
      ...(entry.dev === true ? { dev: true } : {}),
      optional: true
    }
    added.push(`${dep}@${version}`)
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0))
)
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n")
console.log(
  added.length === 0
    ? "package-lock.json: nothing missing"
    : `package-lock.json: added ${added.length} platform entries: ${added.join(", ")}`
)
