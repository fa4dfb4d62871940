#!/usr/bin/env node
// Candour in a real browser: every public journey (with and without JavaScript, and at 320 px), the
// design system's error summary, a report taken from "received" to "closed" by a named person, the admin
// pages, and axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page the browser shows.
//
//   node tests/browser/suite.mjs [--binary target/debug/candour] [--base-url http://127.0.0.1:8080]
//                                [--chromium /usr/bin/chromium] [--screenshots docs/screenshots]
//
// Without --base-url it starts `candour demo` on a free port with a fresh data directory and stops it at
// the end. Exit status: 0 when every step passed and axe found nothing; 1 otherwise; 2 when it could not
// start at all. See tests/browser/README.md.

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = {
    binary: 'target/debug/candour',
    baseUrl: null,
    chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    screenshots: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--binary') o.binary = val();
    else if (a === '--base-url') o.baseUrl = val().replace(/\/$/, '');
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--screenshots') o.screenshots = resolve(val());
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(msg) {
  if (msg) console.error(msg);
  console.error(
    'usage: node tests/browser/suite.mjs [--binary PATH] [--base-url URL] [--chromium PATH] [--screenshots DIR]',
  );
  process.exit(msg ? 2 : 0);
}

const opts = parseArgs(process.argv.slice(2));
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT = 15_000;
const WATCHDOG_MS = 5 * 60_000;
const started = Date.now();

// ---------------------------------------------------------------------------------------------------
// What was found

/** Journey steps that failed: { where, message }. */
const failures = [];
/** Design-system or browser-console findings that do not fail the run: { where, message }. */
const warnings = [];
/** axe violations, one per element: { mode, label, url, rule, impact, help, helpUrl, target, html, summary }. */
const violations = [];
/** Every page audited: { mode, label, url, status }. */
const audited = [];
/** Elements whose colour contrast axe could not decide ("needs review"), by HTML: why and where. */
const undecided = new Map();

class StepFailed extends Error {}

function fail(where, message) {
  failures.push({ where, message });
  console.log(`  FAIL ${where}: ${message}`);
}

function warn(where, message) {
  if (!warnings.some((w) => w.message === message)) {
    warnings.push({ where, message });
    console.log(`  warn ${where}: ${message}`);
  }
}

/** A soft check: record and carry on. */
function check(cond, where, message) {
  if (!cond) fail(where, message);
  return !!cond;
}

/** A hard check: the journey cannot go on without it. */
function must(cond, where, message) {
  if (!cond) {
    fail(where, message);
    throw new StepFailed(message);
  }
}

/** Run one journey; a failure ends that journey only. */
async function journey(name, fn) {
  const t0 = Date.now();
  const before = failures.length;
  console.log(`== ${name}`);
  const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
  try {
    const r = await fn();
    console.log(`${failures.length > before ? '   finished with failures' : '   ok'}: ${name} (${secs()} s)`);
    return r;
  } catch (e) {
    if (!(e instanceof StepFailed)) fail(name, `stopped: ${(e && e.message ? e.message : String(e)).split('\n')[0]}`);
    console.log(`   STOPPED: ${name} (${secs()} s)`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Candour

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

let server = null;
let dataDir = null;
let serverLog = '';

async function startCandour() {
  if (opts.baseUrl) return { base: opts.baseUrl, password: process.env.CANDOUR_DEMO_PASSWORD || 'candour-demo-2026' };
  dataDir = mkdtempSync(join(tmpdir(), 'candour-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(
    resolve(opts.binary),
    ['demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--reports', '20'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  let exited = null;
  server.on('exit', (code, sig) => (exited = `exited (${code ?? sig})`));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`candour demo ${exited}:\n${serverLog}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const r = await fetch(`${base}/healthz`).catch(() => null);
  if (!r || r.status !== 200) throw new Error(`candour demo did not answer /healthz within 60 s:\n${serverLog}`);
  const m = serverLog.match(/password for all:\s*(\S+?)\)/);
  return { base, password: m ? m[1] : 'candour-demo-2026' };
}

function stopCandour() {
  if (server && server.exitCode === null && !server.killed) server.kill('SIGTERM');
  if (dataDir) {
    try {
      rmSync(dataDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Fictional answers

const NOW = Date.now();
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** A `datetime-local` value (London wall clock) this many minutes ago. */
function ago(minutes) {
  const p = Object.fromEntries(LONDON.formatToParts(new Date(NOW - minutes * 60_000)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
/** A GTIN-14 with a correct check digit. */
function gtin(body13) {
  const sum = [...body13].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body13 + ((10 - (sum % 10)) % 10);
}
const times = { occurred_at: ago(300), detected_at: ago(280), aware_at: ago(270) };

/** Per kind: the answers on each page, and what the journey should show. */
const KINDS = {
  clinical_safety: {
    prefix: 'CS',
    urgency: { patients_harmed_now: 'no', urgency: 'routine' },
    urgent: false,
    details: {
      ods_code: 'RZX',
      organisation_name: 'Northshire Teaching Hospitals NHS Foundation Trust',
      event_type: 'incident',
      title: 'Allergy banner missing from drug chart after upgrade',
      narrative:
        'After the overnight upgrade the allergy banner did not display on the drug chart screen. A penicillin allergy recorded in the allergies module was only visible after opening the full record. Noticed before administration on the morning round.',
      immediate_actions: 'Ward manager informed; staff told to open the allergies tab before every administration.',
      ...times,
      'system.product': 'CareFlow EPR',
      'system.supplier': 'Northwind Health Systems',
      'system.version': '25.1.0',
      'system.module': 'Drug chart',
    },
    patients: {
      'patient.physical_harm': 'low',
      'patient.psychological_harm': 'none',
      'patient.clinical_outcome': 'Dose withheld and reviewed by pharmacist; no lasting harm.',
      safeguarding_concern: 'no',
    },
    aboutYou: {
      identity: 'named',
      'reporter.name': 'Chloe Danvers',
      'reporter.role': 'nurse_midwife',
      'reporter.email': 'chloe.danvers@example.nhs.uk',
      'reporter.phone': '0113 496 0123',
    },
  },
  cyber_incident: {
    prefix: 'CY',
    urgency: { patients_harmed_now: 'no', urgency: 'urgent' },
    urgent: 'csoc',
    details: {
      ods_code: 'RZY',
      organisation_name: 'Wessex Vale Community Health NHS Trust',
      event_type: 'incident',
      title: 'Ransomware note on imaging workstation',
      narrative:
        'A ransom note appeared on two reporting workstations in radiology. Network isolation of the imaging VLAN started; reporting moved to paper request forms.',
      immediate_actions: 'Imaging VLAN isolated; workstations powered off and kept for forensics.',
      ...times,
      'system.product': 'RadView PACS',
      'system.supplier': 'Lumen Imaging',
      'system.version': '7.5',
      'system.module': 'Reporting',
      'cyber.classification': 'ransomware',
      'cyber.investigation_stage': 'containment',
      'cyber.request_type': 'technical_support',
      'cyber.contact.name': 'Rachel Okoye',
      'cyber.contact.role': 'Head of Cyber Security',
      'cyber.contact.email': 'cyber.team@example.nhs.uk',
      'cyber.contact.phone': '0113 496 0000',
      'cyber.local_reference': 'DEF-48213',
      'cyber.local_reference_url': 'https://security.example.nhs.uk/incidents/48213',
      'cyber.suppliers_involved': 'Lumen Imaging',
      'cyber.impact.assets': 'Two radiology reporting workstations\nImaging VLAN',
      'cyber.impact.services': 'Radiology reporting',
      'cyber.impact.patients': 'Reporting delayed; downtime procedures in use; no harm known so far',
      'cyber.indicators_raw': 'hxxp://payroll-update[.]example-login[.]com\n203.0.113.45',
    },
    patients: {
      'patient.physical_harm': 'none',
      'patient.psychological_harm': 'none',
      safeguarding_concern: 'no',
    },
    aboutYou: {
      identity: 'confidential',
      'reporter.name': 'Imran Qureshi',
      'reporter.role': 'it_digital',
      'reporter.email': 'imran.qureshi@example.nhs.uk',
    },
  },
  suspicious_activity: {
    prefix: 'SA',
    urgency: { patients_harmed_now: 'no', urgency: 'routine' },
    urgent: false,
    details: {
      ods_code: 'Z99001',
      organisation_name: 'Millbrook Surgery',
      event_type: 'risk',
      title: 'Caller claiming to be IT asked for a password',
      narrative:
        "A caller said they were from the IT service desk and asked the receptionist to read out her password to fix a 'mailbox fault'. She refused and ended the call.",
      ...times,
      'suspicious.channel': 'phone_call',
      'suspicious.interacted': 'no',
    },
    patients: {
      'patient.physical_harm': 'none',
      'patient.psychological_harm': 'none',
      safeguarding_concern: 'no',
    },
    aboutYou: { identity: 'anonymous', 'reporter.role': 'admin_clerical' },
  },
  vulnerability: {
    prefix: 'VU',
    urgency: { patients_harmed_now: 'no', urgency: 'routine' },
    urgent: false,
    details: {
      ods_code: 'RZW',
      organisation_name: 'Fenland Mental Health Partnership NHS Trust',
      event_type: 'risk',
      title: 'Patient portal session token in URL',
      narrative: 'The patient portal places the session token in the URL query string, so it is kept in browser history and proxy logs.',
      'vulnerability.affected_product': 'MyCare patient portal',
      'vulnerability.affected_version': '3.2.0',
      'vulnerability.description':
        'After sign-in the portal redirects to a URL carrying ?session=… ; anyone with access to the history or proxy logs can take over the session.',
      'vulnerability.cvss_vector': 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N',
    },
    patients: {
      'patient.physical_harm': 'none',
      'patient.psychological_harm': 'none',
      safeguarding_concern: 'no',
    },
    aboutYou: {
      identity: 'named',
      'reporter.name': 'Kwame Mensah',
      'reporter.role': 'researcher',
      'reporter.email': 'kwame.mensah@example.org',
    },
  },
  device_incident: {
    prefix: 'DV',
    urgency: { patients_harmed_now: 'yes', urgency: 'immediate' },
    urgent: 'harm',
    details: {
      ods_code: 'RZX',
      organisation_name: 'Northshire Teaching Hospitals NHS Foundation Trust',
      event_type: 'incident',
      title: 'Insulin pump alarm did not sound on occlusion',
      narrative:
        'The pump did not alarm during a line occlusion; the blood glucose was found high on the routine check. The pump has been taken out of use and kept.',
      ...times,
      'system.product': 'InsuLink pump firmware',
      'system.supplier': 'Fictional Medical Ltd',
      'system.version': '4.2.1',
      'device.device_name': 'Insulin pump',
      'device.manufacturer': 'Fictional Medical Ltd',
      'device.gtin': gtin('0501234567890'),
      'device.lot': 'L4821',
      'device.serial': 'SN204611',
      'device.expiry': '2028-06-30',
      'device.implanted': 'no',
    },
    patients: {
      'patient.physical_harm': 'moderate',
      'patient.psychological_harm': 'low',
      'patient.clinical_outcome': 'Blood glucose corrected; observed overnight.',
      safeguarding_concern: 'no',
    },
    aboutYou: {
      identity: 'named',
      'reporter.name': 'Bethan Hughes',
      'reporter.role': 'nurse_midwife',
      'reporter.phone': '01632 960 456',
    },
  },
};

/** "I'm not sure" resolves, after the help page, to this kind with these answers. */
const NOT_SURE = {
  resolvesTo: 'clinical_safety',
  override: {
    details: {
      ods_code: 'RZY',
      organisation_name: 'Wessex Vale Community Health NHS Trust',
      event_type: 'incident',
      title: 'Results delayed by interface queue',
      narrative:
        'Urgent potassium results were visible in the laboratory system but did not appear in the EPR for about three hours. The interface queue appears to have stalled after a restart.',
      ...times,
      'system.product': 'PathLink LIMS',
      'system.supplier': 'Kestrel Diagnostics',
    },
    aboutYou: { identity: 'anonymous' },
  },
};

// ---------------------------------------------------------------------------------------------------
// Browser sessions: navigate, check, audit

let browser;
let BASE;
const replay = new Map(); // path -> { html } of no-JS documents being audited
let replaySeq = 0;
const shotsTaken = [];
let axeMs = 0;
/** axe results by document (mode, width, normalised HTML): the same document is not analysed twice. */
const auditCache = new Map();

/** A page as one person sees it: with or without JavaScript, at some width. */
class Session {
  constructor(ctx, page, { mode, width, checkReflow }) {
    this.ctx = ctx;
    this.page = page;
    this.mode = mode; // 'js', 'no-js', 'js-320'
    this.js = mode !== 'no-js';
    this.width = width;
    this.checkReflow = checkReflow;
    this.last = null;
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => fail(`${mode} ${page.url()}`, `JavaScript error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        warn(`${mode} ${this.path()}`, `browser console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && r.request().resourceType() !== 'document')
        warn(`${mode} ${this.path()}`, `${r.status()} for ${r.url().replace(BASE, '')}`);
    });
  }

  static async open(mode) {
    const width = mode === 'js-320' ? 320 : 1024;
    const ctx = await browser.newContext({
      javaScriptEnabled: mode !== 'no-js',
      viewport: { width, height: 800 },
      baseURL: BASE,
    });
    const page = await ctx.newPage();
    return new Session(ctx, page, { mode, width, checkReflow: width === 320 });
  }

  async close() {
    if (this.audit_) await this.audit_.context().close();
    await this.ctx.close();
  }

  /** This session's own page for auditing no-JS documents (sessions run side by side). */
  async auditPage() {
    if (this.audit_) return this.audit_;
    const ctx = await browser.newContext({ javaScriptEnabled: true, viewport: { width: this.width, height: 800 } });
    await ctx.route('**/*', (route) => {
      const r = replay.get(new URL(route.request().url()).pathname);
      if (r) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: r.html });
      if (route.request().resourceType() === 'script') return route.abort();
      return route.continue();
    });
    this.audit_ = await ctx.newPage();
    this.audit_.setDefaultTimeout(TIMEOUT);
    return this.audit_;
  }

  path() {
    const u = this.page.url();
    return u.startsWith(BASE) ? u.slice(BASE.length) : u;
  }

  where(label) {
    return `[${this.mode}] ${label} (${this.path()})`;
  }

  /** Wait for the document that `action` navigates to (after any redirects). */
  async navigate(action) {
    const main = this.page.mainFrame();
    const done = this.page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === main && (r.status() < 300 || r.status() >= 400),
    );
    // The response comes before the new document replaces the old one: wait for that too, or the checks
    // that follow could run on the page being left.
    const committed = this.page.waitForEvent('framenavigated', { predicate: (f) => f === main });
    await action();
    const resp = await done;
    await committed;
    await this.page.waitForLoadState('load');
    return resp;
  }

  async goto(path) {
    const resp = await this.page.goto(path);
    await this.page.waitForLoadState('load');
    return resp;
  }

  /** Click the submit button named `name` (inside `scope` if given) and wait for the next page. */
  async press(name, scope) {
    const root = scope || this.page;
    return this.navigate(() => root.getByRole('button', { name, exact: true }).click());
  }

  async follow(linkName) {
    return this.navigate(() => this.page.getByRole('link', { name: linkName, exact: true }).click());
  }

  /**
   * Every page the browser shows comes through here: status and address checked, axe run, reflow checked
   * at 320 px, screenshot taken when asked.
   */
  async arrive(resp, label, { status = 200, path, shot } = {}) {
    const got = resp ? resp.status() : 0;
    this.last = { label, status: got };
    await this.audit(label, got);
    if (this.checkReflow) {
      const sw = await this.page.evaluate(() => document.documentElement.scrollWidth);
      check(sw <= this.width, this.where(label), `page scrolls sideways at ${this.width} px (scrollWidth ${sw})`);
    }
    if (this.js) {
      const enhanced = await this.page.evaluate(() => document.body.classList.contains('js-enabled'));
      check(enhanced, this.where(label), 'candour.js did not run (body has no js-enabled class)');
    }
    if (shot && opts.screenshots) await this.screenshot(shot);
    must(got === status, this.where(label), `expected HTTP ${status}, got ${got}${await this.errorText()}`);
    if (path) {
      const p = this.path();
      const ok = path instanceof RegExp ? path.test(p) : p.split('#')[0] === path;
      must(ok, this.where(label), `expected to be at ${path}, but at ${p}${await this.errorText()}`);
    }
    return resp;
  }

  async errorText() {
    const items = await this.page.locator('.nhsuk-error-summary__list li').allInnerTexts();
    return items.length ? ` (error summary: ${items.map((s) => s.trim()).join('; ')})` : '';
  }

  async audit(label, status) {
    const url = this.page.url();
    const t0 = Date.now();
    // The document as the browser now holds it. Identical documents (the start page in every journey, say)
    // give identical results, so each distinct one is analysed once and its result reused.
    const html = await this.page.content();
    const norm = html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value=""');
    const key = `${this.js ? 'js' : 'no-js'}|${this.width}|${createHash('sha1').update(norm).digest('hex')}`;
    let found = auditCache.get(key);
    const cached = !!found;
    if (!found) {
      let results;
      if (this.js) {
        results = await axe(this.page);
      } else {
        // axe needs script and this page has none. Audit the very same document in a JavaScript-enabled
        // page that loads its stylesheet but none of its scripts, so it stays as a no-JS browser shows it.
        const path = `/__browser_suite_audit__/${++replaySeq}`;
        replay.set(path, { html });
        const ap = await this.auditPage();
        await ap.goto(BASE + path);
        await ap.waitForLoadState('load');
        results = await axe(ap);
        replay.delete(path);
      }
      found = results.violations;
      auditCache.set(key, found);
      for (const v of results.incomplete.filter((v) => v.id === 'color-contrast'))
        for (const n of v.nodes)
          undecided.set(n.html.replace(/\s+/g, ' ').slice(0, 80), `${(n.any[0]?.message || 'incomplete').replace(/\s+/g, ' ')} (${this.path()})`);
    }
    audited.push({ mode: this.mode, label, url, status, cached });
    axeMs += Date.now() - t0;
    for (const v of found) {
      for (const n of v.nodes) {
        violations.push({
          mode: this.mode,
          label,
          url: url.replace(BASE, ''),
          rule: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          tags: v.tags.filter((t) => t.startsWith('wcag')).join(','),
          target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' , '),
          html: n.html.replace(/\s+/g, ' ').slice(0, 240),
          summary: (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300),
        });
      }
    }
    if (found.length)
      console.log(`  axe ${this.where(label)}: ${found.map((v) => `${v.id}(${v.nodes.length})`).join(' ')}`);
  }

  async screenshot(name) {
    mkdirSync(opts.screenshots, { recursive: true });
    const file = join(opts.screenshots, `${name}.png`);
    const h = await this.page.evaluate(() => document.documentElement.scrollHeight);
    if (h > 3000) await this.page.screenshot({ path: file, clip: { x: 0, y: 0, width: this.width, height: 3000 }, fullPage: true });
    else await this.page.screenshot({ path: file, fullPage: true });
    shotsTaken.push(file);
  }

  /** Answer form fields by name: radios by value, everything else typed. */
  async answer(answers) {
    for (const [name, value] of Object.entries(answers)) {
      const field = this.page.locator(`[name="${name}"]`);
      const n = await field.count();
      must(n > 0, this.where('answer'), `no field named "${name}" on this page`);
      const type = await field.first().getAttribute('type');
      if (type === 'radio') {
        const radio = this.page.locator(`input[type="radio"][name="${name}"][value="${value}"]`);
        must((await radio.count()) === 1, this.where('answer'), `no "${value}" option for "${name}"`);
        await radio.check();
      } else {
        await field.fill(value);
      }
    }
  }

  async text(selector) {
    const l = this.page.locator(selector);
    return (await l.count()) ? (await l.first().innerText()).trim() : '';
  }

  /** The value of the summary-list row whose key is `key`. */
  async summaryValue(key) {
    const rows = this.page.locator('.nhsuk-summary-list__row');
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const k = (await rows.nth(i).locator('.nhsuk-summary-list__key').innerText()).trim();
      if (k === key) return (await rows.nth(i).locator('.nhsuk-summary-list__value').innerText()).trim();
    }
    return null;
  }
}

/**
 * axe on a page: the WCAG A/AA rules only, full detail for violations only (much faster on big pages), and
 * axe.run in the page itself (legacy mode: Candour's pages have no frames, and the default runPartial
 * mode opens a blank page per analysis).
 */
function axe(page) {
  // options() replaces every option, so it must come before withTags().
  return new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
}

/**
 * A test must be able to fail: axe, injected the way the suite injects it and under Candour's own
 * Content-Security-Policy, must report a page with an unlabelled field and an image without alt text.
 */
async function axeSelfCheck() {
  const csp = (await fetch(`${BASE}/report`)).headers.get('content-security-policy') || '';
  const ctx = await browser.newContext();
  await ctx.route(`${BASE}/__browser_suite_self_check__`, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp },
      body: '<!DOCTYPE html><html lang="en"><head><title>Self check</title></head><body><main><h1>Self check</h1><img src="/x.png"><input type="text" name="x"></main></body></html>',
    }),
  );
  const page = await ctx.newPage();
  await page.goto(`${BASE}/__browser_suite_self_check__`);
  const ids = (await axe(page)).violations.map((v) => v.id);
  await ctx.close();
  if (!ids.includes('image-alt') || !ids.includes('label')) {
    fail('axe self-check', `axe did not report a known-bad page (found: ${ids.join(', ') || 'nothing'}); its results cannot be trusted`);
    throw new Error('axe self-check failed');
  }
  console.log(`axe self-check: a known-bad page gives ${ids.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------
// The error summary (design system): status 422, "There is a problem", links to fields that exist

async function expectErrorSummary(s, resp, label, { fields = [], status = 422, shot } = {}) {
  await s.arrive(resp, label, { status, shot });
  const w = s.where(label);
  const page = s.page;
  must((await page.locator('.nhsuk-error-summary').count()) === 1, w, 'no error summary (.nhsuk-error-summary)');
  check((await s.text('.nhsuk-error-summary__heading')) === 'There is a problem', w, 'error summary heading is not "There is a problem"');
  check((await page.title()).startsWith('Error: '), w, `page title does not start "Error: " (${await page.title()})`);
  const links = await page.locator('.nhsuk-error-summary__list a').evaluateAll((as) =>
    as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.replace(/\s+/g, ' ').trim() })),
  );
  must(links.length > 0, w, 'error summary has no links to the fields');
  const targets = [];
  for (const l of links) {
    const id = l.href && l.href.startsWith('#') ? decodeURIComponent(l.href.slice(1)) : null;
    if (!check(id, w, `error summary link "${l.text}" does not point into this page (${l.href})`)) continue;
    const info = await page.evaluate((id) => {
      const el = document.getElementById(id);
      if (!el) return null;
      const group = el.closest('.nhsuk-form-group');
      const all = [...document.querySelectorAll('input,textarea,select')];
      return {
        tag: el.tagName.toLowerCase(),
        inline: !!(group && group.querySelector('.nhsuk-error-message')),
        order: all.indexOf(el),
      };
    }, id);
    if (!check(info, w, `error summary link "${l.text}" points to #${id}, which is not on the page`)) continue;
    check(['input', 'textarea', 'select'].includes(info.tag), w, `#${id} is a <${info.tag}>, not a form field`);
    check(info.inline, w, `field #${id} has no error message next to it (.nhsuk-error-message)`);
    // WCAG 3.3.1 / DEVELOPERS.md "a clear error naming the field": a message that starts in lower case
    // ("is required") is a fragment of an API message and does not say which answer is wrong.
    if (/`|unknown variant|expected one of|invalid type|missing field|could not be read/.test(l.text))
      fail(w, `error message "${l.text}" (for #${id}) is a program's parse error, not a message a person can act on (WCAG 3.3.1/3.3.3; e.g. "Select what the problem is about")`);
    else if (/^(is|are|must|cannot|can't|should|has|have|was|were|needs?|not)\b/.test(l.text))
      fail(w, `error message "${l.text}" (for #${id}) does not say which answer is wrong (WCAG 3.3.1 error identification; e.g. "Enter a summary")`);
    else if (!/^[A-Z0-9]/.test(l.text) && !/^\S+\.(png|jpe?g|txt|pdf)\b/i.test(l.text))
      warn(w, `error message "${l.text}" (for #${id}) is not a sentence (the design system's messages start with a capital, e.g. "Enter …")`);
    targets.push({ id, order: info.order });
  }
  for (const f of fields) check(targets.some((t) => t.id === f), w, `no error for #${f}`);
  const orders = targets.map((t) => t.order);
  if (orders.some((o, i) => i > 0 && o < orders[i - 1]))
    warn(w, `error summary lists errors out of page order (${targets.map((t) => t.id).join(', ')})`);
  if (s.js) {
    // nhsuk-frontend's error summary script moves focus to the summary, and its links to the field.
    const focused = await page.evaluate(() => !!document.activeElement?.closest('.nhsuk-error-summary'));
    check(focused, w, 'with JavaScript the error summary is not focused on load');
    if (targets.length) {
      await page.locator('.nhsuk-error-summary__list a').first().click();
      const active = await page.evaluate(() => document.activeElement?.id);
      check(active === targets[0].id, w, `clicking the first error link focused #${active}, not #${targets[0].id}`);
    }
  } else if (targets.length) {
    await page.locator('.nhsuk-error-summary__list a').first().click();
    check(page.url().endsWith(`#${targets[0].id}`), w, 'the first error link did not go to its field');
  }
}

// ---------------------------------------------------------------------------------------------------
// (a) The public journey

/**
 * Walk one report from the start page to its tracking page.
 * kind: the radio value chosen on the kind page ('not_sure' walks the help route first).
 */
async function reportJourney(
  s,
  kind,
  { errorOnKind = false, errorOnDetails = false, cyberContactGap = false, changeLink = false, upload = null, addInfo = false, shots = false } = {},
) {
  const realKind = kind === 'not_sure' ? NOT_SURE.resolvesTo : kind;
  const spec = structuredClone(kind === 'not_sure' ? { ...KINDS[realKind], ...NOT_SURE.override } : KINDS[realKind]);
  const shot = (name) => (shots ? name : undefined);

  await s.arrive(await s.goto('/report'), 'start page', { path: '/report', shot: shot('01-start') });
  must((await s.text('h1')) === 'Report a safety problem', s.where('start page'), 'start page h1 is wrong');
  await s.arrive(await s.press('Start now'), 'kind question', { path: '/report/kind' });

  const offered = await s.page.locator('input[name="kind"]').evaluateAll((is) => is.map((i) => i.value));
  for (const k of offered)
    check(k === 'not_sure' || KINDS[k], s.where('kind question'), `the page offers kind "${k}", which this suite has no answers for`);

  if (errorOnKind) {
    await expectErrorSummary(s, await s.press('Continue'), 'kind question, nothing chosen', {
      fields: ['kind'],
      shot: shot('03-error-summary'),
    });
  }
  await s.answer({ kind });
  if (kind === 'not_sure') {
    await s.arrive(await s.press('Continue'), 'help choosing a kind', { path: '/report/help' });
    must((await s.text('h1')) === 'Which kind of problem is it?', s.where('help'), 'help page h1 is wrong');
    await s.arrive(await s.follow('Choose the kind of problem'), 'kind question again', { path: '/report/kind' });
    await s.answer({ kind: realKind });
  }
  await s.arrive(await s.press('Continue'), 'urgency questions', { path: '/report/urgency' });
  await s.answer(spec.urgency);
  if (spec.urgent) {
    await s.arrive(await s.press('Continue'), 'phone now', { path: '/report/urgent' });
    const main = await s.text('main');
    if (spec.urgent === 'csoc') check(/CSOC/.test(main), s.where('phone now'), 'no NHS CSOC phone advice for an urgent cyber report');
    if (spec.urgent === 'harm')
      check(/Patients are at risk/.test(main), s.where('phone now'), 'no "Patients are at risk" callout when patients are harmed now');
    await s.arrive(await s.follow('Continue your report'), 'details questions', { path: '/report/details', shot: shot('02-question') });
  } else {
    await s.arrive(await s.press('Continue'), 'details questions', { path: '/report/details', shot: shot('02-question') });
  }

  if (errorOnDetails) {
    const required = Object.keys(spec.details).filter((f) => ['ods_code', 'title', 'narrative'].includes(f));
    await expectErrorSummary(s, await s.press('Continue'), 'details, nothing answered', {
      fields: required.map((f) => f.replace(/\./g, '-')),
    });
  }
  if (cyberContactGap) {
    // A cyber contact needs an email or a phone number: that must be said on this page, not after "Send".
    const gap = { ...spec.details };
    delete gap['cyber.contact.email'];
    delete gap['cyber.contact.phone'];
    await s.answer(gap);
    await s.page.locator('[name="cyber.contact.email"]').fill('');
    await s.page.locator('[name="cyber.contact.phone"]').fill('');
    const resp = await s.press('Continue');
    if (s.path() === '/report/details') {
      await expectErrorSummary(s, resp, 'details, cyber contact without email or phone', { fields: [] });
    } else {
      await s.arrive(resp, 'patient questions (after cyber contact without email or phone)');
      fail(
        s.where('details'),
        'a cyber contact with neither email nor phone was accepted on /report/details; the error only appears after "Send report", on the check page, linked to /report/kind#cyber-contacts[0] (wrong page, no such field)',
      );
      await s.arrive(await s.goto('/report/details'), 'details questions again', { path: '/report/details' });
    }
  }
  await s.answer(spec.details);
  await s.arrive(await s.press('Continue'), 'patient questions', { path: '/report/patients' });
  await s.answer(spec.patients);
  let resp = await s.press('Continue');
  let attached = null;
  if (resp.url().endsWith('/report/screenshots')) {
    await s.arrive(resp, 'screenshots', { path: '/report/screenshots' });
    if (upload) attached = await screenshotsStep(s, upload);
    resp = await s.press('Continue');
  } else {
    warn(s.where('patient questions'), 'no /report/screenshots step after the patient questions (older binary?)');
  }
  await s.arrive(resp, 'about you', { path: '/report/about-you' });
  await s.answer(spec.aboutYou);
  await s.arrive(await s.press('Continue'), 'check your answers', { path: '/report/check', shot: shot('04-check-answers') });

  const main = await s.text('main');
  must(main.includes(spec.details.title), s.where('check your answers'), 'the summary typed is not shown');
  if (spec.aboutYou['reporter.name'])
    check(main.includes(spec.aboutYou['reporter.name']), s.where('check your answers'), 'the reporter name is not shown');
  if (attached) check(main.includes(attached), s.where('check your answers'), `the attached screenshot ${attached} is not listed`);
  const changes = await s.page.locator('.nhsuk-summary-list__actions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(changes.length > 10, s.where('check your answers'), `only ${changes.length} "Change" links`);

  if (changeLink) {
    // Change one answer from "Check your answers" and come back to it.
    await s.arrive(
      await s.navigate(() => s.page.locator('a[href="/report/details#title"]').click()),
      'change the summary',
      { path: '/report/details' },
    );
    check((await s.page.locator('#title').inputValue()) === spec.details.title, s.where('change'), 'the summary typed is not kept');
    await s.page.locator('#title').fill(spec.details.title + ' (24.3.2 to 25.1.0)');
    spec.details = { ...spec.details, title: spec.details.title + ' (24.3.2 to 25.1.0)' };
    resp = await s.press('Continue');
    if (!resp.url().endsWith('/report/check')) {
      warn(
        s.where('change'),
        `after "Change" on check your answers, Continue goes to ${s.path()}, not back to /report/check: the user must step through every later page again`,
      );
      for (let i = 0; i < 4 && !resp.url().endsWith('/report/check'); i++) {
        await s.arrive(resp, `continue after changing an answer`);
        resp = await s.press('Continue');
      }
    }
    await s.arrive(resp, 'check your answers again', { path: '/report/check' });
    check((await s.text('main')).includes(spec.details.title), s.where('check again'), 'the changed summary is not shown');
  }

  await s.arrive(await s.press('Send report'), 'confirmation', { path: '/report/confirmation', shot: shot('05-confirmation') });
  const reference = await s.text('#reference');
  must(
    new RegExp(`^${spec.prefix}-\\d{4}-\\d{6}$`).test(reference),
    s.where('confirmation'),
    `reference "${reference}" is not like ${spec.prefix}-2026-000123`,
  );
  const routes = await s.page.locator('main ul li').count();
  if (!routes) warn(s.where('confirmation'), `report ${reference} went nowhere ("Where it has gone" is empty)`);
  if (spec.urgent) check(/If it is urgent, phone as well/.test(await s.text('main')), s.where('confirmation'), 'no "phone as well" callout on an urgent report');

  await s.arrive(await s.navigate(() => s.page.locator('#tracking-link').click()), 'tracking page', {
    path: /^\/track\/[0-9a-f]{64}$/,
    shot: shot('06-tracking'),
  });
  const tracking = s.path();
  check((await s.summaryValue('Reference')) === reference, s.where('tracking'), 'tracking page shows another reference');
  check((await s.summaryValue('Status')) === 'received', s.where('tracking'), `status is "${await s.summaryValue('Status')}", not "received"`);
  check((await s.text('h1')).includes(spec.details.title), s.where('tracking'), 'tracking page h1 lacks the summary');
  if (spec.aboutYou['reporter.name'])
    check(!(await s.text('main')).includes(spec.aboutYou['reporter.name']), s.where('tracking'), 'tracking page shows the reporter name');
  let added = null;
  if (addInfo) added = await addInformation(s, tracking);
  console.log(`   ${kind}: ${reference} sent; tracking ${tracking.slice(0, 16)}…`);
  return { reference, tracking, kind: realKind, ods: spec.details.ods_code, title: spec.details.title, offered, attached, added };
}

/** The optional screenshots step: a wrong file is refused by name; a real PNG is held and can be removed. */
async function screenshotsStep(s, { wrongFirst = false, removeOne = false } = {}) {
  const input = s.page.locator('input[type="file"][name="screenshots"]');
  must((await input.count()) === 1, s.where('screenshots'), 'no file input named "screenshots"');
  if (wrongFirst) {
    await input.setInputFiles({ name: 'handover-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Bay 3: obs due 14:00\n') });
    await expectErrorSummary(s, await s.press('Continue'), 'screenshots, not an image', { fields: ['screenshots'] });
  }
  // A real PNG: what this browser shows right now.
  const png = await s.page.screenshot();
  const name = `drug-chart-${s.mode}.png`;
  const files = removeOne
    ? [
        { name, mimeType: 'image/png', buffer: png },
        { name: 'wrong-screen.png', mimeType: 'image/png', buffer: png },
      ]
    : [{ name, mimeType: 'image/png', buffer: png }];
  await s.page.locator('input[type="file"][name="screenshots"]').setInputFiles(files);
  await s.arrive(await s.press('Continue'), 'screenshots attached', { path: '/report/screenshots' });
  for (const f of files) check((await s.text('main')).includes(f.name), s.where('screenshots attached'), `${f.name} is not listed as attached`);
  // The redacted preview, and an area covered by hand: by dragging across it (JavaScript) or by giving its
  // position in pixels (without).
  const img = s.page.locator('img[data-cover]').first();
  must((await img.count()) === 1, s.where('screenshots attached'), 'no redacted preview of the screenshot');
  check(await img.evaluate((i) => i.complete && i.naturalWidth > 0), s.where('screenshots attached'), 'the redacted preview does not load');
  const id = await img.getAttribute('data-cover');
  if (s.js) {
    await img.scrollIntoViewIfNeeded();
    const bb = await img.boundingBox();
    await s.page.mouse.move(bb.x + 20, bb.y + 20);
    await s.page.mouse.down();
    await s.page.mouse.move(bb.x + 120, bb.y + 60, { steps: 5 });
    await s.page.mouse.up();
    const w = Number(await s.page.locator(`#width-${id}`).inputValue());
    check(w > 0, s.where('screenshots attached'), 'dragging across the preview did not fill in the area to cover');
  } else {
    await s.page.locator(`#cover-${id} summary`).click();
    for (const [f, v] of [['x', '10'], ['y', '10'], ['width', '60'], ['height', '20']]) await s.page.locator(`#${f}-${id}`).fill(v);
  }
  await s.arrive(await s.navigate(() => s.page.locator(`#cover-${id} button[type=submit]`).click()), 'area covered', { path: '/report/screenshots' });
  if (removeOne) {
    const remove = s.page.getByRole('button', { name: 'Remove wrong-screen.png', exact: true });
    must((await remove.count()) === 1, s.where('screenshots attached'), 'no "Remove" button for wrong-screen.png (with its name for screen readers)');
    await s.arrive(await s.navigate(() => remove.click()), 'screenshot removed', { path: '/report/screenshots' });
    check(!(await s.text('main')).includes('wrong-screen.png'), s.where('screenshot removed'), 'removed file still listed');
  }
  return name;
}

/** The reporter adds information through the tracking link (an empty form is refused first). */
async function addInformation(s, tracking) {
  const form = s.page.locator(`form[action="${tracking}"]`);
  if (!(await form.count())) {
    warn(s.where('tracking page'), 'no "Add information" form on the tracking page (older binary?)');
    return null;
  }
  await expectErrorSummary(s, await s.press('Add to my report'), 'add information, empty', { fields: ['more'] });
  const text = `Same problem seen again on ward 7 at ${ago(30).slice(11)} (${s.mode}).`;
  await s.page.locator('#more').fill(text);
  await s.arrive(await s.press('Add to my report'), 'information added', { path: `${tracking}?added=1` });
  const main = await s.text('main');
  check(/Thank you/.test(main), s.where('information added'), 'no confirmation banner after adding information');
  check(main.includes(text), s.where('information added'), 'what was added is not shown back');
  return text;
}

// ---------------------------------------------------------------------------------------------------
// (c) Staff: a named person takes the report from received to closed

async function signIn(s, username, password, { shots = false, wrongFirst = false } = {}) {
  await s.arrive(await s.goto('/sign-in'), 'sign in', { path: '/sign-in', shot: shots ? '07-sign-in' : undefined });
  if (wrongFirst) {
    await s.answer({ username, password: 'not-the-password' });
    await expectErrorSummary(s, await s.press('Sign in'), 'sign in, wrong password', { fields: ['username'], status: 401 });
  }
  await s.answer({ username, password });
  await s.arrive(await s.press('Sign in'), 'queue', { path: '/workspace', shot: shots ? '08-queue' : undefined });
  check(/Signed in as /.test(await s.text('main')), s.where('queue'), 'queue does not say who is signed in');
}

async function act(s, action, fields, label, expectStatus) {
  const form = s.page.locator('form').filter({ has: s.page.locator(`input[name="action"][value="${action}"]`) });
  must((await form.count()) === 1, s.where(label), `no "${action}" form on the report page`);
  for (const [name, value] of Object.entries(fields)) {
    const f = form.locator(`[name="${name}"]`);
    if ((await f.first().getAttribute('type')) === 'radio') await form.locator(`input[name="${name}"][value="${value}"]`).check();
    else await f.fill(value);
  }
  const resp = await s.navigate(() => form.locator('button[type="submit"]').click());
  if (expectStatus === 422) return resp;
  await s.arrive(resp, label, { path: /^\/workspace\/reports\// });
  const status = await s.summaryValue('Status');
  must(status === expectStatus, s.where(label), `status is "${status}", expected "${expectStatus}"`);
  return resp;
}

async function staffLifecycle(s, sent, username, role, password, { shots = false } = {}) {
  await signIn(s, username, password, { shots, wrongFirst: !s.js });
  const link = s.page.getByRole('link', { name: sent.reference, exact: true });
  must((await link.count()) > 0, s.where('queue'), `${sent.reference} is not in ${username}'s queue`);
  await s.arrive(await s.navigate(() => link.first().click()), 'report page', {
    path: `/workspace/reports/${sent.reference}`,
    shot: shots ? '09-report' : undefined,
  });
  check((await s.text('h1')) === sent.title, s.where('report page'), 'report page h1 is not the summary');
  check((await s.summaryValue('Acknowledged by')) === 'Nobody yet', s.where('report page'), 'a new report already shows an acknowledgement');
  const name = await s.page.locator('#acknowledge-name').inputValue();
  check(name.length > 0, s.where('report page'), 'acknowledge form does not suggest the signed-in name');
  const pageText = await s.text('main');
  if (sent.added) check(pageText.includes(sent.added), s.where('report page'), 'what the reporter added is not shown to staff');
  if (sent.attached) {
    check(/covered in black when the reporter attached them/.test(pageText), s.where('report page'), 'staff are not told a screenshot is attached');
    const shots = s.page.locator('main img[src*="/screenshots/"]');
    check((await shots.count()) > 0, s.where('report page'), 'the redacted screenshot is not shown to staff');
    if (await shots.count()) {
      const loaded = await shots.first().evaluate((img) => img.complete && img.naturalWidth > 0);
      check(loaded, s.where('report page'), 'the redacted screenshot does not load');
    }
    check(!pageText.includes(sent.attached), s.where('report page'), 'the screenshot file name is shown (it may carry patient details)');
  }

  // Who is working on it, and an internal note (never shown to the reporter).
  let internal = null;
  const assign = s.page.locator('form[action$="/assign"]');
  if (await assign.count()) {
    await s.arrive(await s.navigate(() => assign.getByRole('button', { name: 'Assign', exact: true }).click()), 'assigned to me', {
      path: `/workspace/reports/${sent.reference}`,
    });
    check((await s.text('main')).includes(`Assigned to ${name}`), s.where('assigned to me'), 'the report does not say who it is assigned to');
    const notes = s.page.locator('form[action$="/notes"]');
    await expectErrorSummary(s, await s.navigate(() => notes.getByRole('button', { name: 'Add the note', exact: true }).click()), 'empty internal note', {
      fields: ['note-text'],
    });
    internal = `Internal (${s.mode}): supplier call booked; do not share the hazard log number outside the trust.`;
    await s.page.locator('#note-text').fill(internal);
    await s.arrive(await s.navigate(() => notes.getByRole('button', { name: 'Add the note', exact: true }).click()), 'internal note added', {
      path: `/workspace/reports/${sent.reference}`,
    });
    check((await s.text('main')).includes(internal), s.where('internal note added'), 'the internal note is not shown');
  } else {
    warn(s.where('report page'), 'no assignment form on the report page (older binary?)');
  }

  await act(s, 'acknowledge', { role, method: 'phone' }, 'acknowledged', 'acknowledged');
  check((await s.summaryValue('Acknowledged by')).startsWith(`${name} (${role})`), s.where('acknowledged'), 'acknowledgement does not name the person');
  await act(s, 'triage', { note: 'Clinical safety relevant; supplier informed; hazard log entry H-112 opened.' }, 'triaged', 'triaged');
  await act(s, 'start_investigation', { note: 'Reproduced on the test system with the 25.1.0 build.' }, 'investigating', 'investigating');
  await act(s, 'make_safe', { note: 'Workaround issued to all wards; allergies tab opened before every round.' }, 'made safe', 'made safe');
  await act(s, 'resolve', { summary: 'Supplier released 25.1.1; verified in test and deployed on 3 wards.' }, 'resolved', 'resolved');

  // (b) in the workspace: closing without feedback is refused with the error summary.
  await expectErrorSummary(s, await act(s, 'close', { feedback: '' }, 'close without feedback', 422), 'close without feedback', {
    fields: ['close-feedback'],
  });
  const feedback = `You told us the allergy banner was missing (${s.mode}). The supplier has fixed it and we now check it after every upgrade. Thank you for reporting.`;
  await act(s, 'close', { feedback }, 'closed', 'closed');
  check((await s.summaryValue('Feedback to the reporter')) === feedback, s.where('closed'), 'feedback not shown on the report page');
  const left = await s.page.locator('form input[name="action"]').evaluateAll((is) => is.map((i) => i.value));
  const lifecycleLeft = left.filter((a) => !['reopen', 'assign', 'notes'].includes(a) && !a.startsWith('respond'));
  check(lifecycleLeft.length === 0, s.where('closed'), `a closed report still offers ${lifecycleLeft.join(', ')}`);

  await s.arrive(await s.press('Sign out'), 'signed out', { path: '/sign-in' });
  return { feedback, name, role, internal };
}

async function trackingShowsFeedback(s, sent, done, { shots = false } = {}) {
  await s.arrive(await s.goto(sent.tracking), 'tracking page after closing', {
    path: sent.tracking,
    shot: shots ? '14-tracking-closed' : undefined,
  });
  const w = s.where('tracking after close');
  check((await s.summaryValue('Status')) === 'closed', w, `status is "${await s.summaryValue('Status')}", not "closed"`);
  check((await s.summaryValue('Feedback to you')) === done.feedback, w, 'the feedback is not shown to the reporter');
  check(
    ((await s.summaryValue('Acknowledged')) || '').startsWith(`Acknowledged by ${done.name} (${done.role})`),
    w,
    'the tracking page does not name who acknowledged',
  );
  // The organisation's own destinations count as answered once a named person there acknowledges the
  // report (the rule the obligations board and queue use): the reporter must not be told otherwise.
  const ownOrg = await s.page.locator('.nhsuk-summary-list__row').evaluateAll((rows) =>
    rows
      .map((r) => [r.querySelector('.nhsuk-summary-list__key')?.textContent.trim(), r.querySelector('.nhsuk-summary-list__value')?.textContent.trim()])
      .filter(([k]) => k && k.includes('(your organisation)')),
  );
  for (const [k, v] of ownOrg)
    check(
      !/^Not yet acknowledged/.test(v),
      w,
      `"Where it went" says "${k}: ${v}" although ${done.name} (${done.role}) of that organisation acknowledged the report`,
    );
  const main = await s.text('main');
  if (done.internal) check(!main.includes(done.internal), w, 'an internal staff note is shown on the tracking page');
  if (sent.added) check(main.includes(sent.added), w, 'what the reporter added is no longer shown to them');
  check((await s.page.locator(`form[action="${sent.tracking}"]`).count()) === 0, w, 'a closed report still offers "Add information"');
}

// ---------------------------------------------------------------------------------------------------
// Run

async function main() {
  let password;
  try {
    ({ base: BASE, password } = await startCandour());
    browser = await chromium.launch({ executablePath: opts.chromium, args: CHROMIUM_ARGS });
  } catch (e) {
    console.error(`could not start: ${e.message}`);
    stopCandour();
    process.exit(2);
  }
  console.log(`Candour at ${BASE}; Chromium ${browser.version()}; axe tags ${AXE_TAGS.join(' ')}`);
  await axeSelfCheck();

  const sent = { js: {}, 'no-js': {} };
  const order = ['clinical_safety', 'cyber_incident', 'suspicious_activity', 'vulnerability', 'device_incident', 'not_sure'];

  /** (a) + (b): every kind the start page offers, in one mode. */
  async function everyKind(s) {
    for (const kind of order) {
      const o = {
        errorOnKind: kind === 'clinical_safety',
        errorOnDetails: kind === (s.js ? 'cyber_incident' : 'vulnerability'),
        cyberContactGap: !s.js && kind === 'cyber_incident',
        changeLink: s.js && kind === 'clinical_safety',
        upload: kind === 'clinical_safety' ? { wrongFirst: !s.js, removeOne: !s.js } : kind === 'device_incident' ? {} : null,
        addInfo: kind === 'clinical_safety',
        shots: s.js && kind === 'clinical_safety',
      };
      const r = await journey(`report journey [${s.mode}]: ${kind}`, () => reportJourney(s, kind, o));
      if (r) sent[s.mode][kind] = r;
    }
  }

  /** (c) A named person takes the report to closed; the reporter sees the feedback. */
  async function lifecycle(reporter, mode, username, role) {
    const staff = await Session.open(mode);
    await journey(`workspace [${mode}]: ${username} takes the clinical safety report to closed`, async () => {
      const r = sent[mode].clinical_safety;
      must(r, `workspace [${mode}]`, `no clinical safety report was sent in ${mode} mode`);
      const done = await staffLifecycle(staff, r, username, role, password, { shots: mode === 'js' });
      await trackingShowsFeedback(reporter, r, done, { shots: mode === 'js' });
    });
    if (mode === 'no-js')
      await journey('workspace [no-js]: handler.wessexvale cannot open a Northshire report', async () => {
        const r = sent['no-js'].clinical_safety;
        must(r, 'scope', 'no Northshire report to try');
        await signIn(staff, 'handler.wessexvale', password);
        const resp = await staff.goto(`/workspace/reports/${r.reference}`);
        await staff.arrive(resp, "another organisation's report", { status: resp.status() === 403 ? 403 : 404 });
        check(!(await staff.text('main')).includes(r.title), staff.where('scope'), "another organisation's report is shown");
      });
    await staff.close();
  }

  /** (d) The admin pages. */
  async function adminPages(mode) {
    const admin = await Session.open(mode);
    await journey(`workspace [${mode}]: admin opens obligations, outbox, routing and users`, async () => {
      await signIn(admin, 'admin', password);
      const pages = [
        ['/workspace/obligations', 'obligations board', '10-obligations'],
        ['/workspace/outbox', 'delivery outbox', '11-outbox'],
        ['/workspace/routing', 'routing tables', '12-routing'],
        ['/workspace/users', 'users and roles', '13-users'],
      ];
      for (const [href] of pages)
        must((await admin.page.locator(`main a[href="${href}"]`).count()) === 1, admin.where('queue'), `the admin's queue has no link to ${href}`);
      for (const [i, [href, label, shot]] of pages.entries()) {
        const resp = i === 0 ? await admin.navigate(() => admin.page.locator(`main a[href="${href}"]`).click()) : await admin.goto(href);
        await admin.arrive(resp, label, { path: href, shot: mode === 'js' ? shot : undefined });
        check((await admin.text('h1')).length > 0, admin.where(label), 'no h1');
      }
      // The vulnerability disclosure policy that security.txt points to.
      await admin.arrive(await admin.goto('/security/policy'), 'disclosure policy', { path: '/security/policy' });
      check((await admin.text('h1')) === 'Vulnerability disclosure policy', admin.where('disclosure policy'), 'policy h1 is wrong');
    });
    await admin.close();
  }

  /** (e) Clinical safety: a CSO opens the hazard log, a hazard and the checklist, and approves a safety case report. */
  async function safetyPages(mode) {
    const cso = await Session.open(mode);
    await journey(`workspace [${mode}]: a CSO opens the hazard log and approves the safety case report`, async () => {
      await signIn(cso, 'cso.northshire', password);
      let resp = await cso.navigate(() => cso.page.locator('main a[href="/workspace/safety"]').click());
      await cso.arrive(resp, 'clinical safety', { path: '/workspace/safety' });
      resp = await cso.navigate(() => cso.page.locator('main a[href^="/workspace/safety/"]').first().click());
      await cso.arrive(resp, 'hazard log', { path: /^\/workspace\/safety\/[0-9a-f-]+$/ });
      const home = cso.path().split('#')[0];
      must((await cso.page.locator('svg.candour-heatmap').count()) === 2, cso.where('hazard log'), 'expected the initial and residual heat maps');
      resp = await cso.goto(`${home}/hazards/1`);
      await cso.arrive(resp, 'hazard page', { path: `${home}/hazards/1` });
      check((await cso.text('h1')).startsWith('H-001'), cso.where('hazard page'), 'the hazard page names its hazard');
      resp = await cso.goto(`${home}/compliance`);
      await cso.arrive(resp, 'compliance checklist', { path: `${home}/compliance` });
      resp = await cso.goto('/workspace/cso');
      await cso.arrive(resp, 'CSO record', { path: '/workspace/cso' });
      resp = await cso.goto(`${home}/approve/cscr`);
      await cso.arrive(resp, 'approve the safety case report', { path: `${home}/approve/cscr` });
      resp = await cso.navigate(() => cso.page.locator('main form[action$="/approve/cscr"] button').click());
      await cso.arrive(resp, 'hazard log after approval', { path: home });
      check(/Clinical Safety Case Report v\d+/.test(await cso.page.locator('main').innerText()), cso.where('hazard log after approval'), 'the issued CSCR is listed');
    });
    await cso.close();
  }

  async function cyberPages(mode) {
    const s = await Session.open(mode);
    await journey(`workspace [${mode}]: a cyber analyst works a cyber incident's record`, async () => {
      await signIn(s, 'cyber.analyst', password);
      const list = await (await s.page.request.get('/api/v1/reports?kind=cyber_incident&status=received&limit=1')).json();
      const ref = list.items && list.items[0] && list.items[0].reference;
      must(ref, s.where('cyber'), 'the demo has no received cyber incident');
      const here = `/workspace/reports/${ref}/cyber`;
      await s.arrive(await s.goto(here), 'cyber record', { path: here });
      check((await s.text('h1')).startsWith(ref), s.where('cyber record'), 'the page names its report');
      const paste = s.page.locator('form[action$="/cyber/indicators"]');
      await paste.locator('textarea[name="text"]').fill('nothing to find here');
      await expectErrorSummary(s, await s.press('Add the indicators', paste), 'cyber record, empty paste', { fields: ['indicators-text'] });
      await s.page.locator('form[action$="/cyber/indicators"] textarea[name="text"]').fill('C2 hxxps://update-nhs[.]example-cdn[.]xyz/a 198.51.100.23');
      const pasted = new RegExp(`^${here}\\?added=\\d+&already=\\d+#indicators$`);
      await s.arrive(await s.press('Add the indicators', s.page.locator('form[action$="/cyber/indicators"]')), 'cyber record with indicators', { path: pasted });
      check((await s.text('main')).includes('198.51.100.23'), s.where('cyber record with indicators'), 'the pasted address is listed');
      check(/indicator\(s\) added; \d+ already recorded/.test(await s.text('#paste-result')), s.where('cyber record with indicators'), 'the paste says what it did');
      const impact = s.page.locator('form[action$="/cyber/impact"]');
      await impact.locator('input[type="radio"][name="level"][value="low"]').check();
      await impact.locator('textarea[name="summary"]').fill('Outpatient letters delayed by a day');
      await s.arrive(await s.press('Record the assessment', impact), 'cyber record assessed', { path: here });
      check((await s.text('main')).includes('CSO review needed before closure'), s.where('cyber record assessed'), 'a low impact awaits the CSO');
    });
    await s.close();
  }

  // Two lanes at once (one browser, separate contexts): with JavaScript (and at 320 px), and without.
  const js = await Session.open('js');
  const nojs = await Session.open('no-js');
  const narrow = await Session.open('js-320');
  await Promise.all([
    (async () => {
      await everyKind(js);
      await journey('report journey [js-320]: suspicious_activity at 320 px', () =>
        reportJourney(narrow, 'suspicious_activity', { errorOnKind: true }),
      );
      await lifecycle(js, 'js', 'cso.northshire', 'Clinical Safety Officer');
      await adminPages('js');
      await adminPages('no-js');
      await safetyPages('js');
      await safetyPages('no-js');
      await cyberPages('js');
      await cyberPages('no-js');
    })(),
    (async () => {
      await everyKind(nojs);
      await lifecycle(nojs, 'no-js', 'handler.northshire', 'Incident handler');
    })(),
  ]);
  const offered = Object.values(sent.js)[0]?.offered || Object.values(sent['no-js'])[0]?.offered || [];
  check(offered.length >= 2, 'coverage', 'could not read the kinds offered on /report/kind');
  for (const k of offered)
    check(sent.js[k] && sent['no-js'][k], 'coverage', `kind "${k}" offered on /report/kind was not reported end to end in both modes`);

  for (const s of [js, nojs, narrow]) await s.close();
  await browser.close();
  stopCandour();
  report();
}

function report() {
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const fresh = audited.filter((a) => !a.cached).length;
  console.log(
    `\n==== Summary: ${audited.length} pages shown and audited with axe (${fresh} distinct documents analysed; ${(axeMs / 1000).toFixed(1)} s in axe across lanes; ${secs} s in all)`,
  );
  const byMode = {};
  for (const a of audited) byMode[a.mode] = (byMode[a.mode] || 0) + 1;
  console.log(`pages per mode: ${Object.entries(byMode).map(([m, n]) => `${m} ${n}`).join(', ')}`);

  if (violations.length) {
    // Group the same element failing the same rule across pages and modes.
    const groups = new Map();
    for (const v of violations) {
      const k = `${v.rule}|${v.target}`;
      if (!groups.has(k)) groups.set(k, { ...v, pages: new Set(), modes: new Set() });
      groups.get(k).pages.add(v.url.replace(/[0-9a-f]{64}/, '{token}').replace(/[A-Z]{2}-\d{4}-\d{6}/, '{reference}'));
      groups.get(k).modes.add(v.mode);
    }
    console.log(`\naxe violations: ${violations.length} (${groups.size} distinct rule + element)`);
    for (const g of groups.values()) {
      console.log(`- ${g.rule} [${g.impact}] ${g.help} (${g.tags})`);
      console.log(`    element: ${g.target}`);
      console.log(`    html:    ${g.html}`);
      console.log(`    why:     ${g.summary}`);
      console.log(`    pages:   ${[...g.pages].join(', ')}  [${[...g.modes].join(', ')}]`);
      console.log(`    see:     ${g.helpUrl}`);
    }
  } else {
    console.log('\naxe violations: none');
  }
  if (undecided.size) {
    const examples = [...undecided].slice(0, 3).map(([html, why]) => `${html} : ${why}`);
    warn(
      'axe (needs review)',
      `axe could not decide the colour contrast of ${undecided.size} element(s); check by eye, e.g.\n      ${examples.join('\n      ')}`,
    );
  }
  if (warnings.length) {
    console.log(`\nwarnings (do not fail the run): ${warnings.length}`);
    for (const w of warnings) console.log(`- ${w.message}\n    at ${w.where}`);
  }
  if (failures.length) {
    // The same problem met in several modes or journeys is listed once, with where it was met.
    const byMessage = new Map();
    for (const f of failures) {
      if (!byMessage.has(f.message)) byMessage.set(f.message, []);
      byMessage.get(f.message).push(f.where);
    }
    console.log(`\njourney failures: ${failures.length} (${byMessage.size} distinct)`);
    for (const [message, wheres] of byMessage) console.log(`- ${message}\n    at ${[...new Set(wheres)].join('\n       ')}`);
  } else {
    console.log('\njourney failures: none');
  }
  if (shotsTaken.length) console.log(`\nscreenshots: ${shotsTaken.length} in ${opts.screenshots}`);
  const ok = !failures.length && !violations.length;
  console.log(`\n${ok ? 'PASS' : 'FAIL'}: browser journeys and axe (${secs} s)`);
  process.exitCode = ok ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.error(`browser suite took longer than ${WATCHDOG_MS / 1000} s; stopping`);
  stopCandour();
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    stopCandour();
    process.exit(130);
  });

main()
  .catch((e) => {
    console.error(`browser suite crashed: ${e.stack || e}`);
    if (serverLog && process.env.CANDOUR_BROWSER_DEBUG) console.error(serverLog);
    process.exitCode = 1;
    report();
  })
  .finally(() => {
    stopCandour();
    if (browser) browser.close().catch(() => {});
  });
