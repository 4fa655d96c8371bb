// Front-end build for the SEND Family Portal.
//
//   npm run build   (after `npm ci`)
//
// Writes (static/dist/ is gitignored, never committed):
//   static/dist/main.css                 compiled from assets/scss/main.scss
//   static/dist/main.css.map             source map
//   static/dist/govuk-frontend.min.js    GOV.UK Frontend ES module (+ .map)
//
// Deliberately NOT copied: GOV.UK Frontend fonts (GDS Transport) and images
// (crown favicons, Royal Arms crest, GOV.UK icons) – see assets/README.md.
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as sass from 'sass'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const distDir = path.join(root, 'static', 'dist')
const nodeModules = path.join(root, 'node_modules')

const require = createRequire(import.meta.url)
const govukPackageJson = require.resolve('govuk-frontend/package.json')
const govukDist = path.join(path.dirname(govukPackageJson), 'dist', 'govuk')

async function buildCss () {
  const entry = path.join(root, 'assets', 'scss', 'main.scss')
  const result = await sass.compileAsync(entry, {
    style: 'compressed',
    loadPaths: [nodeModules],
    sourceMap: true,
    sourceMapIncludeSources: false,
    // Silence deprecation warnings coming from govuk-frontend's own files;
    // warnings from our own Sass are still shown.
    quietDeps: true,
    // Treat deprecations in our own code as errors.
    fatalDeprecations: Object.values(sass.deprecations).filter(
      (d) => d.status === 'active' && d.id !== 'user-authored'
    )
  })

  // Guard rails: this is a council service, never GOV.UK branding.
  for (const forbidden of ['GDS Transport', '@font-face', 'govuk-crest', '/fonts/']) {
    if (result.css.includes(forbidden)) {
      throw new Error(`main.css must not contain "${forbidden}"`)
    }
  }

  const map = result.sourceMap
  map.sources = map.sources.map((source) =>
    source.startsWith('file:')
      ? path.relative(distDir, fileURLToPath(source)).split(path.sep).join('/')
      : source
  )
  await writeFile(
    path.join(distDir, 'main.css'),
    `${result.css}\n/*# sourceMappingURL=main.css.map */\n`
  )
  await writeFile(path.join(distDir, 'main.css.map'), JSON.stringify(map))
}

async function copyJs () {
  for (const file of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    await copyFile(path.join(govukDist, file), path.join(distDir, file))
  }
}

async function report () {
  for (const file of ['main.css', 'main.css.map', 'govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    const { size } = await stat(path.join(distDir, file))
    console.log(`  static/dist/${file}  ${(size / 1024).toFixed(1)} KiB`)
  }
}

// Start from a clean folder so nothing stale (e.g. crown images) survives.
await rm(distDir, { recursive: true, force: true })
await mkdir(distDir, { recursive: true })
await Promise.all([buildCss(), copyJs()])
console.log(`Built front-end assets (govuk-frontend ${require(govukPackageJson).version}, sass ${sass.info.split('\t')[1]}):`)
await report()
