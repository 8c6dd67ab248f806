'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const fs = require('fs');
const YAML = require('yaml');
const v = require('../validate.js');

// ruleport: the schemas live in mappings/sentinel/schemas; KQL_SCHEMAS names that folder.
const schemaDir = process.env.KQL_SCHEMAS || path.join(__dirname, '..', '..', '..', 'kql-schemas');
const globals = v.makeGlobals(v.loadSchemas([schemaDir]));
const codes = (q) => v.validateQuery(q, globals).diagnostics.map((d) => d.code);

test('valid SigninLogs query passes and reports output columns', () => {
  const r = v.validateQuery('SigninLogs | where AuthenticationProtocol =~ "ropc" and ResultType == "0" | project UserPrincipalName, IPAddress', globals);
  assert.equal(r.ok, true);
  assert.deepEqual(r.resultColumns.map((c) => c.name), ['UserPrincipalName', 'IPAddress']);
});

test('syntax error', () => assert.deepEqual(codes('SigninLogs | where (ResultType == "0"'), ['KS005']));
test('unknown column', () => assert.deepEqual(codes('SigninLogs | where AuthProtocol == "x"'), ['KS142']));
test('type error', () => assert.deepEqual(codes('SigninLogs | where TimeGenerated > "x"'), ['KS106']));
test('unknown escape in a normal string literal is a syntax error', () => assert.ok(codes('SigninLogs | where UserAgent has "C:\\Temp"').includes('KS002')));
test('verbatim string keeps backslashes', () => assert.deepEqual(codes('SigninLogs | where UserAgent has @"C:\\Temp"'), []));
test('property access needs dynamic: fails on the non-interactive table', () => {
  assert.deepEqual(codes('AADNonInteractiveUserSignInLogs | where Status.errorCode == 0'), ['KS142']);
  assert.deepEqual(codes('AADNonInteractiveUserSignInLogs | where tostring(todynamic(Status).errorCode) == "0"'), []);
});

test('durations', () => {
  assert.equal(v.durationMinutes('5m'), 5);
  assert.equal(v.durationMinutes('14d'), 20160);
  assert.equal(v.durationMinutes('PT1H'), 60);
  assert.equal(v.durationMinutes('P2DT1H30M'), 2970);
  assert.ok(Number.isNaN(v.durationMinutes('1w')));
});

test('example rule passes, broken rule reports each problem', () => {
  const load = (f) => YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', f), 'utf8'));
  const good = v.validateRule(load('ropc_signin.yaml'), globals);
  assert.deepEqual(good.problems, []);
  assert.equal(good.query.ok, true);
  const bad = v.validateRule(load('broken_rule.yaml'), globals);
  const fields = bad.problems.map((p) => p.field);
  for (const f of ['id', 'severity', 'version', 'queryPeriod', 'triggerOperator', 'tactics',
    'entityMappings[0].fieldMappings[0].identifier', 'entityMappings[0]', 'entityMappings[1].fieldMappings[0].columnName']) {
    assert.ok(fields.includes(f), `expected a problem for ${f}`);
  }
});
