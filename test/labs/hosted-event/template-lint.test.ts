// The hosted event's CloudFormation template passes cfn-lint, and a copy broken on purpose fails
// it: the check reads the template, it does not just run.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hostedEventTemplate, hostedEventTemplateYaml, TEMPLATE_FILE } from '../../../labs/hosted-event/template.ts';
import { findCfnLint, lint, needsCfnLint } from '../../support/cfn-lint.ts';

const test = suite('hosted event template: cfn-lint');
const tool = findCfnLint();
const dir = mkdtempSync(join(tmpdir(), 'klw-event-'));

if (needsCfnLint(test, tool)) {
  test('the template passes cfn-lint with no finding', () => {
    const file = join(dir, TEMPLATE_FILE);
    writeFileSync(file, hostedEventTemplateYaml());
    const result = lint(tool, file);
    assert.is(result.status, 0, result.findings);
  });

  test('a copy whose CodeBuild project lost its service role and whose instance names a missing resource fails cfn-lint', () => {
    const broken = hostedEventTemplate();
    delete broken.Resources.BaseDeployProject.Properties!.ServiceRole;
    broken.Resources.IdeInstance.Properties!.SubnetId = { Ref: 'NoSuchSubnet' };
    const file = join(dir, `broken-${TEMPLATE_FILE}`);
    writeFileSync(file, hostedEventTemplateYaml(broken));
    const result = lint(tool, file);
    assert.is.not(result.status, 0);
    assert.match(result.findings, /ServiceRole/);
    assert.match(result.findings, /NoSuchSubnet/);
  });
}

test.run();
