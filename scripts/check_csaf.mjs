#!/usr/bin/env node
// Validate CSAF 2.0 documents with the BSI/secvisogram csaf-validator-lib.
//
// Usage: node scripts/check_csaf.mjs FILE.json [FILE2.json ...]
//
// Each file is checked against:
//   * the CSAF 2.0 JSON schema in the library's *strict* variant
//     (csaf_2_0_strict: the official schema plus additionalProperties=false,
//     so a misspelt or unknown key fails instead of being silently ignored;
//     the CVSS v2.0/v3.0/v3.1 schemas are bundled, nothing is fetched);
//   * every mandatory test (CSAF 2.0 section 6.1.x) the library exports.
// Failures print the test name, instancePath and message.
// Recommended ("optional") tests 6.2.x run too; their findings, and a
// filename that does not follow the CSAF 5.1 rule for /document/tracking/id,
// are printed as warnings and never fail. Informative tests (6.3.x) are not
// run: 6.3.6/6.3.7 fetch URLs and 6.3.8 needs hunspell. Nothing here uses
// the network.
//
// Exit status: 0 every file valid, 1 any file invalid (including unparsable
// JSON), 2 usage error or unreadable file.
//
// The library is pinned in package.json devDependencies; CI installs it with
// `npm ci` from the repository root before running this script.

import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import * as recommended from '@secvisogram/csaf-validator-lib/optionalTests.js'

// Module namespaces list exports alphabetically (6_1_1, 6_1_10, ...): sort by number.
const byNumber = (a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })
const failingTests = [csaf_2_0_strict, ...Object.values(mandatory).sort(byNumber)]
const warningTests = Object.values(recommended).sort(byNumber)

// CSAF 2.0 section 5.1: file name derived from /document/tracking/id.
const csafFileName = (id) => id.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_') + '.json'

async function runOne(test, doc) {
  try {
    return (await validateStrict([test], doc)).tests[0]
  } catch (e) {
    return { isValid: false, errors: [{ instancePath: '', message: `test crashed: ${e.message}` }], warnings: [] }
  }
}

async function checkFile(path) {
  let text
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    console.error(`${path}: cannot read: ${e.message}`)
    return 2
  }
  let doc
  try {
    doc = JSON.parse(text)
  } catch (e) {
    console.log(`${path}: INVALID\n  error [json] not valid JSON: ${e.message}`)
    return 1
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    console.log(`${path}: INVALID\n  error [json] top-level value must be a JSON object`)
    return 1
  }

  const errors = new Set() // a Set: ajv reports some oneOf failures twice
  const warnings = new Set()
  for (const test of failingTests) {
    const r = await runOne(test, doc)
    if (!r.isValid && r.errors.length === 0) errors.add(`[${test.name}] (no details)`)
    for (const e of r.errors) errors.add(`[${test.name}] ${e.instancePath || '/'}: ${e.message}`)
    for (const w of r.warnings) warnings.add(`[${test.name}] ${w.instancePath || '/'}: ${w.message}`)
  }
  for (const test of warningTests) {
    const r = await runOne(test, doc)
    for (const w of [...r.errors, ...r.warnings]) warnings.add(`[${test.name}] ${w.instancePath || '/'}: ${w.message}`)
  }
  const id = doc?.document?.tracking?.id
  if (typeof id === 'string' && basename(path) !== csafFileName(id)) {
    warnings.add(`[filename] file should be named ${csafFileName(id)} (CSAF 2.0 section 5.1)`)
  }

  const summary = `schema + ${failingTests.length - 1} mandatory tests, ${warningTests.length} recommended tests`
  console.log(`${path}: ${errors.size ? 'INVALID' : 'valid'} (${summary})`)
  for (const e of errors) console.log(`  error ${e}`)
  for (const w of warnings) console.log(`  warning ${w}`)
  return errors.size ? 1 : 0
}

const files = process.argv.slice(2)
if (files.length === 0 || files.some((f) => f === '-h' || f === '--help')) {
  console.error('usage: node scripts/check_csaf.mjs FILE.json [FILE2.json ...]')
  process.exit(2)
}
let status = 0
for (const f of files) status = Math.max(status, await checkFile(f))
process.exit(status)
