// Infrastructure policy rules ("Reliability and security", item 4), as small pure functions over
// the Terraform JSON that cdktf synthesizes. Each rule takes one stack's parsed JSON and returns
// its violations (resource address and reason); `subjects` lists what a rule looked at, so a test
// can tell "nothing wrong" from "nothing checked". No cdktf, no file system, no AWS: plain data in,
// plain data out.
//
// Rules
//   open-ingress      no security group ingress from 0.0.0.0/0 or ::/0 (any /0)
//   msk-tls-iam       MSK clients authenticate with IAM only, over TLS only
//   sqs-encryption    every queue encrypted at rest (SSE-SQS or a KMS key)
//   log-retention     every log group has a retention (> 0 days)
//   lambda-limits     every function sets timeout and memory_size
//   lambda-env-secrets no secret in a function's environment (by name or by value)
//   iam-wildcards     no "*" / "service:*" actions; "*" resources only for WILDCARD_RESOURCE_ACTIONS
//   esm-role-scope    a Kafka ESM's role reaches only its cluster, topic(s) and consumer group(s)

import { WILDCARD_ONLY_ACTIONS } from '../../modules/iam.ts';

export type Block = Record<string, any>;
export interface TfJson {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  [key: string]: unknown;
}

export type RuleId =
  | 'open-ingress'
  | 'msk-tls-iam'
  | 'sqs-encryption'
  | 'log-retention'
  | 'lambda-limits'
  | 'lambda-env-secrets'
  | 'iam-wildcards'
  | 'esm-role-scope';

export interface Violation {
  rule: RuleId;
  /** Terraform address: `aws_sqs_queue.name` or `data.aws_iam_policy_document.name`. */
  address: string;
  reason: string;
}

export interface Rule {
  id: RuleId;
  title: string;
  check(tf: TfJson): Violation[];
  /** Addresses of what the rule examined in this stack. */
  subjects(tf: TfJson): string[];
}

export function formatViolation(v: Violation, stack?: string): string {
  return `[${v.rule}] ${stack ? `${stack}: ` : ''}${v.address}: ${v.reason}`;
}

// ---------------------------------------------------------------------------------------------
// Readers

export interface Addressed {
  address: string;
  name: string;
  block: Block;
}

function strip(block: Block): Block {
  const { ['//']: _metadata, ...rest } = block;
  return rest;
}

/** Resources of one type, with their Terraform addresses. */
export function resourcesOf(tf: TfJson, type: string): Addressed[] {
  return Object.entries(tf.resource?.[type] ?? {}).map(([name, block]) => ({ address: `${type}.${name}`, name, block: strip(block) }));
}

export function dataOf(tf: TfJson, type: string): Addressed[] {
  return Object.entries(tf.data?.[type] ?? {}).map(([name, block]) => ({ address: `data.${type}.${name}`, name, block: strip(block) }));
}

/** A nested block as cdktf writes it: an object for single blocks, an array for lists. */
function blocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter((v): v is Block => typeof v === 'object' && v !== null);
  return typeof value === 'object' && value !== null ? [value as Block] : [];
}

function block(value: unknown): Block | undefined {
  return blocks(value)[0];
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}

/** `${aws_iam_role.x.arn}` -> { type: 'aws_iam_role', name: 'x', attr: 'arn' }. */
function parseRef(value: unknown): { type: string; name: string; attr: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
  return m ? { type: m[1], name: m[2], attr: m[3] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// open-ingress

const WORLD = (cidr: unknown): boolean => typeof cidr === 'string' && /\/0$/.test(cidr.trim());

function describePorts(rule: Block): string {
  const protocol = rule.protocol ?? rule.ip_protocol ?? '?';
  if (String(protocol) === '-1') return 'all traffic';
  return `${protocol} ${rule.from_port ?? '?'}-${rule.to_port ?? '?'}`;
}

function cidrProblems(cidrs: unknown, what: string): string[] {
  if (cidrs === undefined || cidrs === null) return [];
  if (isToken(cidrs) && !Array.isArray(cidrs)) return [`${what} is an expression (${cidrs}) that cannot be checked for 0.0.0.0/0`];
  return asList(cidrs)
    .filter(WORLD)
    .map((c) => `${what} contains ${c}`);
}

export function checkOpenIngress(tf: TfJson): Violation[] {
  const out: Violation[] = [];
  const add = (address: string, reason: string) => out.push({ rule: 'open-ingress', address, reason });
  for (const type of ['aws_security_group', 'aws_default_security_group']) {
    for (const sg of resourcesOf(tf, type)) {
      blocks(sg.block.ingress).forEach((rule, i) => {
        for (const p of [...cidrProblems(rule.cidr_blocks, 'cidr_blocks'), ...cidrProblems(rule.ipv6_cidr_blocks, 'ipv6_cidr_blocks')]) {
          add(sg.address, `inline ingress[${i}] (${describePorts(rule)}) is open to the internet: ${p}`);
        }
      });
    }
  }
  for (const r of resourcesOf(tf, 'aws_vpc_security_group_ingress_rule')) {
    for (const field of ['cidr_ipv4', 'cidr_ipv6'] as const) {
      if (WORLD(r.block[field])) add(r.address, `ingress (${describePorts(r.block)}) is open to the internet: ${field} = ${r.block[field]}`);
      else if (isToken(r.block[field])) add(r.address, `${field} is an expression (${r.block[field]}) that cannot be checked for 0.0.0.0/0`);
    }
  }
  for (const r of resourcesOf(tf, 'aws_security_group_rule')) {
    if (r.block.type !== 'ingress') continue;
    for (const p of [...cidrProblems(r.block.cidr_blocks, 'cidr_blocks'), ...cidrProblems(r.block.ipv6_cidr_blocks, 'ipv6_cidr_blocks')]) {
      add(r.address, `ingress (${describePorts(r.block)}) is open to the internet: ${p}`);
    }
  }
  return out;
}

function openIngressSubjects(tf: TfJson): string[] {
  return [
    ...resourcesOf(tf, 'aws_security_group'),
    ...resourcesOf(tf, 'aws_default_security_group'),
    ...resourcesOf(tf, 'aws_vpc_security_group_ingress_rule'),
    ...resourcesOf(tf, 'aws_security_group_rule').filter((r) => r.block.type === 'ingress'),
  ].map((r) => r.address);
}

// ---------------------------------------------------------------------------------------------
// msk-tls-iam

export function checkMskTlsIam(tf: TfJson): Violation[] {
  const out: Violation[] = [];
  const add = (address: string, reason: string) => out.push({ rule: 'msk-tls-iam', address, reason });

  // MSK Serverless always encrypts in transit; what must be set is IAM client authentication.
  for (const c of resourcesOf(tf, 'aws_msk_serverless_cluster')) {
    const iam = block(block(block(c.block.client_authentication)?.sasl)?.iam);
    if (iam?.enabled !== true) add(c.address, 'client_authentication.sasl.iam.enabled must be true (IAM is the only client authentication)');
  }

  for (const c of resourcesOf(tf, 'aws_msk_cluster')) {
    const transit = block(block(c.block.encryption_info)?.encryption_in_transit);
    if (transit?.client_broker !== 'TLS') {
      add(
        c.address,
        `encryption_info.encryption_in_transit.client_broker is ${JSON.stringify(transit?.client_broker ?? null)}: set it to "TLS" (no plaintext listener)`,
      );
    }
    if (transit?.in_cluster !== true) {
      add(
        c.address,
        `encryption_info.encryption_in_transit.in_cluster is ${JSON.stringify(transit?.in_cluster ?? null)}: set it to true (TLS between brokers)`,
      );
    }
    const auth = block(c.block.client_authentication);
    const sasl = block(auth?.sasl);
    if (sasl?.iam !== true) add(c.address, `client_authentication.sasl.iam is ${JSON.stringify(sasl?.iam ?? null)}: set it to true`);
    if (sasl?.scram === true) add(c.address, 'client_authentication.sasl.scram is enabled: IAM must be the only client authentication');
    if (block(auth?.tls) !== undefined) add(c.address, 'client_authentication.tls (mutual TLS) is configured: IAM must be the only client authentication');
    if (auth?.unauthenticated !== false) {
      add(c.address, `client_authentication.unauthenticated is ${JSON.stringify(auth?.unauthenticated ?? null)}: set it to false explicitly`);
    }
    const publicAccess = block(block(block(c.block.broker_node_group_info)?.connectivity_info)?.public_access);
    if (publicAccess?.type !== undefined && publicAccess.type !== 'DISABLED') {
      add(c.address, `broker_node_group_info.connectivity_info.public_access.type is ${JSON.stringify(publicAccess.type)}: brokers must not be public`);
    }
  }
  return out;
}

function mskSubjects(tf: TfJson): string[] {
  return [...resourcesOf(tf, 'aws_msk_serverless_cluster'), ...resourcesOf(tf, 'aws_msk_cluster')].map((c) => c.address);
}

// ---------------------------------------------------------------------------------------------
// sqs-encryption

export function checkSqsEncryption(tf: TfJson): Violation[] {
  return resourcesOf(tf, 'aws_sqs_queue')
    .filter((q) => q.block.sqs_managed_sse_enabled !== true && !(typeof q.block.kms_master_key_id === 'string' && q.block.kms_master_key_id.length > 0))
    .map((q) => ({
      rule: 'sqs-encryption' as const,
      address: q.address,
      reason:
        `queue ${JSON.stringify(q.block.name ?? q.name)} is not encrypted at rest: set sqs_managed_sse_enabled = true or kms_master_key_id ` +
        `(sqs_managed_sse_enabled is ${JSON.stringify(q.block.sqs_managed_sse_enabled ?? null)})`,
    }));
}

// ---------------------------------------------------------------------------------------------
// log-retention

export function checkLogRetention(tf: TfJson): Violation[] {
  return resourcesOf(tf, 'aws_cloudwatch_log_group')
    .filter((g) => !(typeof g.block.retention_in_days === 'number' && Number.isInteger(g.block.retention_in_days) && g.block.retention_in_days > 0))
    .map((g) => ({
      rule: 'log-retention' as const,
      address: g.address,
      reason:
        `log group ${JSON.stringify(g.block.name ?? g.name)} keeps logs forever: retention_in_days is ` +
        `${JSON.stringify(g.block.retention_in_days ?? null)}, set a number of days > 0`,
    }));
}

// ---------------------------------------------------------------------------------------------
// lambda-limits

/** Lambda's bounds: timeout 1..900 s, memory 128..10240 MB. */
export const LAMBDA_LIMITS = { timeout: [1, 900], memory_size: [128, 10240] } as const;

export function checkLambdaLimits(tf: TfJson): Violation[] {
  const out: Violation[] = [];
  for (const fn of resourcesOf(tf, 'aws_lambda_function')) {
    for (const [field, [min, max]] of Object.entries(LAMBDA_LIMITS)) {
      const value = fn.block[field];
      const unit = field === 'timeout' ? 's' : 'MB';
      if (value === undefined || value === null) {
        const fallback = field === 'timeout' ? '3 s' : '128 MB';
        out.push({ rule: 'lambda-limits', address: fn.address, reason: `${field} is not set (Lambda would use its ${fallback} default): set it explicitly` });
      } else if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        out.push({ rule: 'lambda-limits', address: fn.address, reason: `${field} is ${JSON.stringify(value)}: expected an integer ${min}..${max} ${unit}` });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// lambda-env-secrets

/** Words that make a variable name look like it holds a secret (matched per name segment). */
const SECRET_NAME_SEGMENTS = new Set([
  'secret',
  'secrets',
  'password',
  'passwords',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'token',
  'tokens',
  'credential',
  'credentials',
  'creds',
  'key',
  'keys',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'signingkey',
  'clientsecret',
]);
/** Substrings that flag a name even inside a longer word (`DBPASSWORD`, `GITHUBTOKEN`). */
const SECRET_NAME_SUBSTRING = /secret|passw(or)?d|passphrase|token|credential|api_?key|private_?key|access_?key/i;
/**
 * Documented exceptions: variable names that match the patterns above but hold configuration,
 * never a secret. Empty: no workshop variable needs one. Add a name only with a comment saying
 * what it holds.
 */
export const NON_SECRET_ENV_NAMES: ReadonlySet<string> = new Set<string>([]);

/** Terraform references that put a secret's value into the environment at deploy time. */
const SECRET_REFERENCE = /aws_secretsmanager_secret_version\.|\.secret_string\b|random_password\.|aws_iam_access_key\.[^.}]+\.(secret|ses_smtp_password)/;

const VALUE_PATTERNS: { what: string; re: RegExp }[] = [
  { what: 'an AWS access key id (AKIA/ASIA...)', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
  { what: 'a PEM private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'credentials in a URL (user:password@)', re: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
  { what: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

/** Removes `${...}` expressions (balanced), so only literal text is scanned. */
function literalText(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '$' && value[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < value.length && depth > 0) {
        if (value[i] === '{') depth++;
        else if (value[i] === '}') depth--;
        i++;
      }
      i--;
      out += ' ';
    } else out += value[i];
  }
  return out;
}

function secretNameReason(name: string): string | undefined {
  if (NON_SECRET_ENV_NAMES.has(name)) return undefined;
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .map((s) => s.toLowerCase())
    .filter(Boolean);
  const hit = segments.find((s) => SECRET_NAME_SEGMENTS.has(s)) ?? SECRET_NAME_SUBSTRING.exec(name)?.[0];
  return hit ? `the name ${name} looks like a secret (matches "${hit}")` : undefined;
}

function secretValueReason(value: string): string | undefined {
  if (SECRET_REFERENCE.test(value)) return `its value comes from a secret (${value}) and would be stored in plain text in the function configuration`;
  const text = literalText(value);
  for (const { what, re } of VALUE_PATTERNS) if (re.test(text)) return `its value contains ${what}`;
  for (const run of text.match(/[A-Za-z0-9+/]{32,}={0,2}/g) ?? []) {
    if (/[0-9+/]/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run)) return `its value contains a ${run.length}-character base64 blob`;
  }
  for (const run of text.match(/\b[0-9a-fA-F]{40,}\b/g) ?? []) return `its value contains a ${run.length}-character hex string (looks like a key or token)`;
  return undefined;
}

export function checkLambdaEnvSecrets(tf: TfJson): Violation[] {
  const out: Violation[] = [];
  for (const fn of resourcesOf(tf, 'aws_lambda_function')) {
    const env = block(fn.block.environment);
    if (!env || env.variables === undefined) continue;
    if (typeof env.variables !== 'object' || env.variables === null || Array.isArray(env.variables)) {
      out.push({
        rule: 'lambda-env-secrets',
        address: fn.address,
        reason: `environment.variables is an expression (${String(env.variables)}) that cannot be checked`,
      });
      continue;
    }
    for (const [name, raw] of Object.entries(env.variables as Record<string, unknown>)) {
      const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
      for (const reason of [secretNameReason(name), secretValueReason(value)]) {
        if (reason)
          out.push({
            rule: 'lambda-env-secrets',
            address: fn.address,
            reason: `environment variable ${name}: ${reason}; read secrets at run time (Secrets Manager, SSM SecureString)`,
          });
      }
    }
  }
  return out;
}

function lambdaSubjects(tf: TfJson): string[] {
  return resourcesOf(tf, 'aws_lambda_function').map((f) => f.address);
}

// ---------------------------------------------------------------------------------------------
// IAM statements: every place a policy can be written, normalized.

export interface Statement {
  /** Where it was written: the policy document's or the resource's address. */
  address: string;
  /** `statement KafkaReadTopic` or `Statement[2]`, for messages. */
  label: string;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** Trust and resource policies name principals; their Resource is the resource itself. */
  hasPrincipals: boolean;
}

/** Policy-valued arguments that hold an IAM policy document. */
const POLICY_ARGUMENTS: { type: string; field: string; kind: 'identity' | 'trust' | 'resource' }[] = [
  { type: 'aws_iam_role_policy', field: 'policy', kind: 'identity' },
  { type: 'aws_iam_policy', field: 'policy', kind: 'identity' },
  { type: 'aws_iam_user_policy', field: 'policy', kind: 'identity' },
  { type: 'aws_iam_group_policy', field: 'policy', kind: 'identity' },
  { type: 'aws_iam_role', field: 'assume_role_policy', kind: 'trust' },
  { type: 'aws_sqs_queue_policy', field: 'policy', kind: 'resource' },
  { type: 'aws_sqs_queue', field: 'policy', kind: 'resource' },
];

function strings(value: unknown): string[] {
  return asList(value).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

function fromDocumentJson(doc: unknown, address: string): Statement[] {
  if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
  const list = asList((doc as Block).Statement);
  return list.map((s, i) => {
    const st = s as Block;
    return {
      address,
      label: st.Sid ? `statement ${st.Sid}` : `Statement[${i}]`,
      effect: st.Effect ?? 'Allow',
      actions: strings(st.Action),
      notActions: strings(st.NotAction),
      resources: strings(st.Resource),
      notResources: strings(st.NotResource),
      hasPrincipals: st.Principal !== undefined || st.NotPrincipal !== undefined,
    };
  });
}

/**
 * cdktf writes Fn.jsonencode(obj) as an HCL object expression: `${jsonencode({"Key" = value})}`.
 * Turns it back into JSON; bare expressions (references, function calls) become `${...}` strings,
 * the way references appear everywhere else in the synthesized JSON.
 */
export function jsonencodeToJson(inner: string): unknown {
  let out = '';
  let i = 0;
  const readString = (): string => {
    const start = i;
    i++;
    while (i < inner.length && inner[i] !== '"') i += inner[i] === '\\' ? 2 : 1;
    i++;
    return inner.slice(start, i);
  };
  while (i < inner.length) {
    const c = inner[i];
    if (c === '"') out += readString();
    else if (c === '=') (out += ':'), i++;
    else if ('{}[],:'.includes(c) || /\s/.test(c)) (out += c), i++;
    else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9][0-9.eE+-]*/.exec(inner.slice(i))!;
      out += m[0];
      i += m[0].length;
    } else {
      // A bare expression: read to the next top-level , } ] or =.
      const start = i;
      let depth = 0;
      while (i < inner.length) {
        const d = inner[i];
        if (d === '"') {
          readString();
          continue;
        }
        if ('([{'.includes(d)) depth++;
        else if (')]}'.includes(d)) {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (d === ',' || d === '=')) break;
        i++;
      }
      const expr = inner.slice(start, i).trim();
      out += ['true', 'false', 'null'].includes(expr) ? expr : JSON.stringify(`\${${expr}}`);
    }
  }
  return JSON.parse(out);
}

/**
 * Statements of one policy-valued argument, or the reason it cannot be checked. A reference to a
 * data.aws_iam_policy_document of the same stack yields nothing here: that document is read on
 * its own.
 */
export function policyArgumentStatements(tf: TfJson, value: unknown, address: string): { statements: Statement[]; problem?: string } {
  if (value === undefined || value === null) return { statements: [] };
  if (typeof value !== 'string') return { statements: [], problem: 'policy is not a string' };
  const ref = parseRef(value);
  if (ref && ref.type === 'aws_iam_policy_document' && (ref.attr === 'json' || ref.attr === 'minified_json')) {
    return tf.data?.aws_iam_policy_document?.[ref.name]
      ? { statements: [] }
      : { statements: [], problem: `policy refers to data.aws_iam_policy_document.${ref.name}, which is not in this stack` };
  }
  const encoded = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(value);
  try {
    if (encoded) return { statements: fromDocumentJson(jsonencodeToJson(encoded[1]), address) };
    if (!isToken(value) || value.trim().startsWith('{')) return { statements: fromDocumentJson(JSON.parse(value), address) };
  } catch (error) {
    return { statements: [], problem: `policy cannot be parsed (${(error as Error).message}), so it cannot be checked` };
  }
  return {
    statements: [],
    problem: `policy is an expression (${value.slice(0, 80)}) that cannot be checked: use a data.aws_iam_policy_document or a literal document`,
  };
}

/** Every IAM statement of a stack, plus what could not be read. */
export function allStatements(tf: TfJson): { statements: Statement[]; problems: Violation[] } {
  const statements: Statement[] = [];
  const problems: Violation[] = [];
  for (const doc of dataOf(tf, 'aws_iam_policy_document')) {
    blocks(doc.block.statement).forEach((st, i) => {
      statements.push({
        address: doc.address,
        label: st.sid ? `statement ${st.sid}` : `statement[${i}]`,
        effect: st.effect ?? 'Allow',
        actions: strings(st.actions),
        notActions: strings(st.not_actions),
        resources: strings(st.resources),
        notResources: strings(st.not_resources),
        hasPrincipals: blocks(st.principals).length > 0 || blocks(st.not_principals).length > 0,
      });
    });
    for (const field of ['source_policy_documents', 'override_policy_documents']) {
      for (const source of asList(doc.block[field])) {
        const { statements: s, problem } = policyArgumentStatements(tf, source, doc.address);
        statements.push(...s);
        if (problem) problems.push({ rule: 'iam-wildcards', address: doc.address, reason: `${field}: ${problem}` });
      }
    }
  }
  for (const { type, field } of POLICY_ARGUMENTS) {
    for (const r of resourcesOf(tf, type)) {
      const { statements: s, problem } = policyArgumentStatements(tf, r.block[field], r.address);
      statements.push(...s);
      if (problem) problems.push({ rule: 'iam-wildcards', address: r.address, reason: `${field}: ${problem}` });
    }
  }
  for (const role of resourcesOf(tf, 'aws_iam_role')) {
    for (const inline of blocks(role.block.inline_policy)) {
      const { statements: s, problem } = policyArgumentStatements(tf, inline.policy, role.address);
      statements.push(...s);
      if (problem) problems.push({ rule: 'iam-wildcards', address: role.address, reason: `inline_policy ${inline.name ?? ''}: ${problem}` });
    }
  }
  return { statements, problems };
}

// ---------------------------------------------------------------------------------------------
// iam-wildcards

/**
 * The only actions allowed on `"Resource": "*"`, each with why. Checked against the AWS Service
 * Authorization Reference (SAR), "Actions defined by Amazon EC2"
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html): an
 * action whose "Resource types" column is empty accepts only "*".
 *
 * 1. No resource type in the SAR, so "*" is the only possible resource: WILDCARD_ONLY_ACTIONS
 *    (modules/iam.ts): kafka:GetBootstrapBrokers (AWSLambdaMSKExecutionRole grants it on "*"),
 *    ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ec2:DescribeVpcs, ec2:DescribeSecurityGroups
 *    (all "List", resource type empty, condition key ec2:Region only).
 *
 * 2. HAVE a resource type in the SAR, allowed on "*" as a documented AWS exception for the
 *    network interfaces Lambda creates on the function's behalf (VPC functions, and the pollers of
 *    an MSK event source mapping, which use the function's execution role):
 *      ec2:CreateNetworkInterface       network-interface*, subnet*, security-group
 *      ec2:DeleteNetworkInterface       network-interface*
 *      ec2:AssignPrivateIpAddresses     network-interface*
 *      ec2:UnassignPrivateIpAddresses   network-interface*
 *    The interface IDs do not exist until Lambda creates them. AWS grants exactly these on "*" in
 *    the managed policy AWSLambdaVPCAccessExecutionRole (docs.aws.amazon.com/aws-managed-policy/
 *    latest/reference/AWSLambdaVPCAccessExecutionRole.html) and lists them for the execution role
 *    in lambda/latest/dg/configuration-vpc.html ("ec2:DescribeNetworkInterfaces - This action only
 *    works if it's allowed on all resources"; for DeleteNetworkInterface "either specify a unique
 *    resource ID, or include all resource IDs") and lambda/latest/dg/with-msk-permissions.html.
 *    A tighter scope (arn:aws:ec2:<region>:<account>:network-interface/* plus the subnet and
 *    security-group ARNs for Create) is possible but not what AWS documents; see the report.
 *
 * Deliberately NOT here: logs:CreateLogGroup (SAR resource type log-group*; the workshop creates
 * its log groups with Terraform), and every other kafka, kafka-cluster, sqs, lambda and logs action
 * (all have resource types: cluster/topic/group, queue, function, log-group/log-stream).
 */
export const WILDCARD_RESOURCE_ACTIONS: Readonly<Record<string, { resourceTypes: string; why: string }>> = {
  ...Object.fromEntries(WILDCARD_ONLY_ACTIONS.map((action) => [action, { resourceTypes: '(none)', why: 'SAR: no resource type (wildcard-only)' }])),
  'ec2:CreateNetworkInterface': {
    resourceTypes: 'network-interface*, subnet*, security-group',
    why: 'Lambda-created ENI; AWS documents "*" (AWSLambdaVPCAccessExecutionRole)',
  },
  'ec2:DeleteNetworkInterface': { resourceTypes: 'network-interface*', why: 'Lambda-created ENI; AWS documents "*" (AWSLambdaVPCAccessExecutionRole)' },
  'ec2:AssignPrivateIpAddresses': { resourceTypes: 'network-interface*', why: 'Lambda-created ENI; AWS documents "*" (AWSLambdaVPCAccessExecutionRole)' },
  'ec2:UnassignPrivateIpAddresses': { resourceTypes: 'network-interface*', why: 'Lambda-created ENI; AWS documents "*" (AWSLambdaVPCAccessExecutionRole)' },
};

const ALLOWED_ON_STAR = new Set(Object.keys(WILDCARD_RESOURCE_ACTIONS).map((a) => a.toLowerCase()));
const WILDCARD_ONLY = new Set(WILDCARD_ONLY_ACTIONS.map((a) => a.toLowerCase()));

/** `*`, or an ARN whose region, account and resource are all wildcards (`arn:aws:sqs:*:*:*`). */
function isAllResources(resource: string): boolean {
  return resource.trim() === '*' || /^arn:[^:]*:[^:]*:\*?:\*?:\*$/.test(resource.trim());
}

export function checkIamWildcards(tf: TfJson): Violation[] {
  const { statements, problems } = allStatements(tf);
  const out: Violation[] = [...problems];
  const add = (s: Statement, reason: string) => out.push({ rule: 'iam-wildcards', address: s.address, reason: `${s.label}: ${reason}` });
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    for (const action of s.actions) {
      if (action.trim() === '*') add(s, 'Action "*" grants every action of every service');
      else if (/:\*$/.test(action)) add(s, `Action "${action}" grants every action of the service: list the actions it needs`);
      else if (action.includes('*')) add(s, `Action "${action}" is a wildcard: list the actions it needs`);
    }
    if (s.notActions.length > 0) add(s, `NotAction with Allow grants everything except ${s.notActions.join(', ')}`);
    if (s.notResources.length > 0) add(s, `NotResource with Allow grants every resource except ${s.notResources.join(', ')}`);
    if (s.hasPrincipals) continue; // trust/resource policy: its Resource is the resource itself
    const star = s.resources.find(isAllResources);
    if (star === undefined) continue;
    const outside = s.actions.filter((a) => !ALLOWED_ON_STAR.has(a.trim().toLowerCase()));
    if (outside.length > 0) {
      add(
        s,
        `Resource "${star}" with ${outside.join(', ')}: these actions have resource types, name the resources (only the actions in WILDCARD_RESOURCE_ACTIONS, test/policy/rules.ts, may use "*")`,
      );
    }
  }
  // Managed policies cannot be read from the stack, so they cannot be checked.
  for (const a of resourcesOf(tf, 'aws_iam_role_policy_attachment')) {
    out.push({
      rule: 'iam-wildcards',
      address: a.address,
      reason: `attaches managed policy ${a.block.policy_arn}, whose statements cannot be checked here: write the statements in a policy document`,
    });
  }
  for (const role of resourcesOf(tf, 'aws_iam_role')) {
    for (const arn of asList(role.block.managed_policy_arns)) {
      out.push({ rule: 'iam-wildcards', address: role.address, reason: `managed_policy_arns includes ${arn}, whose statements cannot be checked here` });
    }
  }
  return out;
}

function iamSubjects(tf: TfJson): string[] {
  const { statements } = allStatements(tf);
  return statements.map((s) => `${s.address} ${s.label}`);
}

// ---------------------------------------------------------------------------------------------
// esm-role-scope

/** Resource type each kafka-cluster action authorizes (SAR, "Actions defined by Apache Kafka APIs for Amazon MSK clusters"). */
const KAFKA_CLUSTER_ACTION_KIND: Record<string, 'cluster' | 'topic' | 'group'> = {
  'kafka-cluster:connect': 'cluster',
  'kafka-cluster:describecluster': 'cluster',
  'kafka-cluster:describeclusterdynamicconfiguration': 'cluster',
  'kafka-cluster:describetopic': 'topic',
  'kafka-cluster:describetopicdynamicconfiguration': 'topic',
  'kafka-cluster:readdata': 'topic',
  'kafka-cluster:writedata': 'topic',
  'kafka-cluster:describegroup': 'group',
  'kafka-cluster:altergroup': 'group',
};

interface EsmScope {
  esm: Addressed;
  clusterArn: string;
  topicArns: string[];
  groupArns: string[];
}

/** The ARN forms ClusterRef writes (modules/kafka-cluster.ts), for an expression or a literal ARN. */
function derivedArn(clusterArn: string, kind: 'topic' | 'group', suffix: string): string {
  const expr = /^\$\{(.*)\}$/.exec(clusterArn);
  if (expr) return `\${replace(${expr[1]}, ":cluster/", ":${kind}/")}/${suffix}`;
  return `${clusterArn.replace(':cluster/', `:${kind}/`)}/${suffix}`;
}

function esmScope(esm: Addressed): EsmScope {
  const clusterArn = String(esm.block.event_source_arn);
  const topics = [...strings(esm.block.topics)];
  const group =
    block(esm.block.amazon_managed_kafka_event_source_config)?.consumer_group_id ?? block(esm.block.self_managed_kafka_event_source_config)?.consumer_group_id;
  // Without a consumer group id the ESM names its own group when it is created, so the policy
  // can only name this cluster's groups (`.../group/<cluster>/<uuid>/*`), as ClusterRef.groupArn does.
  const groups = typeof group === 'string' && group.length > 0 ? [group] : ['*'];
  // A kafka://<topic> on-failure destination is a topic of the same cluster the pollers write to.
  const destination = block(block(esm.block.destination_config)?.on_failure)?.destination_arn;
  if (typeof destination === 'string' && destination.startsWith('kafka://')) topics.push(destination.slice('kafka://'.length));
  return {
    esm,
    clusterArn,
    topicArns: topics.map((t) => derivedArn(clusterArn, 'topic', t)),
    groupArns: groups.map((g) => derivedArn(clusterArn, 'group', g)),
  };
}

/** The function an ESM invokes, its role, and the role's statements (or why they cannot be found). */
export function esmRoleStatements(tf: TfJson, esm: Addressed): { role?: string; statements: Statement[]; problems: string[] } {
  const fnRef = parseRef(esm.block.function_name);
  const fn =
    fnRef?.type === 'aws_lambda_function'
      ? resourcesOf(tf, 'aws_lambda_function').find((f) => f.name === fnRef.name)
      : resourcesOf(tf, 'aws_lambda_function').find((f) => f.block.function_name === esm.block.function_name);
  if (!fn) return { statements: [], problems: [`cannot find the function ${esm.block.function_name} in this stack`] };
  const found = functionRoleStatements(tf, fn);
  return { ...found, problems: found.problems.map((p) => p.replace('the role', 'the ESM role')) };
}

/** A function's role and the role's statements (or why they cannot be found or read). */
export function functionRoleStatements(tf: TfJson, fn: Addressed): { role?: string; statements: Statement[]; problems: string[] } {
  const problems: string[] = [];
  const roleRef = parseRef(fn.block.role);
  const role = roleRef?.type === 'aws_iam_role' ? resourcesOf(tf, 'aws_iam_role').find((r) => r.name === roleRef.name) : undefined;
  if (!role) return { statements: [], problems: [`cannot find the role ${fn.block.role} of ${fn.address} in this stack`] };

  const isThisRole = (value: unknown) => {
    const r = parseRef(value);
    return (r?.type === 'aws_iam_role' && r.name === role.name) || (role.block.name !== undefined && value === role.block.name);
  };
  const { statements: all } = allStatements(tf);
  const docs = new Set<string>();
  const direct: Statement[] = [];
  for (const p of resourcesOf(tf, 'aws_iam_role_policy').filter((p) => isThisRole(p.block.role))) {
    const ref = parseRef(p.block.policy);
    if (ref?.type === 'aws_iam_policy_document') docs.add(`data.aws_iam_policy_document.${ref.name}`);
    else direct.push(...policyArgumentStatements(tf, p.block.policy, p.address).statements);
  }
  for (const inline of blocks(role.block.inline_policy)) direct.push(...policyArgumentStatements(tf, inline.policy, role.address).statements);
  for (const a of resourcesOf(tf, 'aws_iam_role_policy_attachment').filter((a) => isThisRole(a.block.role))) {
    problems.push(`${a.address} attaches ${a.block.policy_arn} to the role; its scope cannot be checked`);
  }
  for (const arn of asList(role.block.managed_policy_arns)) problems.push(`${role.address} has managed policy ${arn}; its scope cannot be checked`);
  return { role: role.address, statements: [...all.filter((s) => docs.has(s.address)), ...direct], problems };
}

export function checkEsmRoleScope(tf: TfJson): Violation[] {
  const out: Violation[] = [];
  for (const esm of kafkaEsms(tf)) {
    const scope = esmScope(esm);
    const { role, statements, problems } = esmRoleStatements(tf, esm);
    for (const p of problems) out.push({ rule: 'esm-role-scope', address: esm.address, reason: p });
    const allowed = new Map<string, 'cluster' | 'topic' | 'group'>([
      [scope.clusterArn, 'cluster'],
      ...scope.topicArns.map((a) => [a, 'topic'] as const),
      ...scope.groupArns.map((a) => [a, 'group'] as const),
    ]);
    for (const s of statements.filter((s) => s.effect === 'Allow')) {
      const kafkaCluster = s.actions.filter((a) => a.toLowerCase().startsWith('kafka-cluster:'));
      const msk = s.actions.filter((a) => a.toLowerCase().startsWith('kafka:'));
      const where = `${s.address} ${s.label} (role ${role})`;
      for (const resource of kafkaCluster.length > 0 ? s.resources : []) {
        const kind = allowed.get(resource);
        if (!kind) {
          out.push({
            rule: 'esm-role-scope',
            address: esm.address,
            reason: `${where} grants ${kafkaCluster.join(', ')} on ${resource}, which is not the ESM's cluster (${scope.clusterArn}), topic (${scope.topicArns.join(', ')}) or group (${scope.groupArns.join(', ')})`,
          });
          continue;
        }
        for (const action of kafkaCluster) {
          const expected = KAFKA_CLUSTER_ACTION_KIND[action.toLowerCase()];
          if (expected && expected !== kind) {
            out.push({
              rule: 'esm-role-scope',
              address: esm.address,
              reason: `${where} grants ${action} on the ${kind} ARN ${resource}; ${action} applies to the ${expected}`,
            });
          }
        }
      }
      for (const resource of msk.length > 0 ? s.resources : []) {
        if (isAllResources(resource) && msk.every((a) => WILDCARD_ONLY.has(a.toLowerCase()))) continue;
        if (resource !== scope.clusterArn) {
          out.push({
            rule: 'esm-role-scope',
            address: esm.address,
            reason: `${where} grants ${msk.join(', ')} on ${resource}; MSK actions of the ESM role must name only the cluster ${scope.clusterArn} (or "*" for a wildcard-only action)`,
          });
        }
      }
    }
  }
  return out;
}

/** Event source mappings reading Kafka (MSK or self-managed): the ones with `topics`. */
export function kafkaEsms(tf: TfJson): Addressed[] {
  return resourcesOf(tf, 'aws_lambda_event_source_mapping').filter((e) => strings(e.block.topics).length > 0);
}

// ---------------------------------------------------------------------------------------------

export const RULES: readonly Rule[] = [
  { id: 'open-ingress', title: 'no security group ingress from 0.0.0.0/0 or ::/0', check: checkOpenIngress, subjects: openIngressSubjects },
  { id: 'msk-tls-iam', title: 'MSK: IAM client auth only, TLS in transit only', check: checkMskTlsIam, subjects: mskSubjects },
  {
    id: 'sqs-encryption',
    title: 'SQS queues encrypted at rest',
    check: checkSqsEncryption,
    subjects: (tf) => resourcesOf(tf, 'aws_sqs_queue').map((q) => q.address),
  },
  {
    id: 'log-retention',
    title: 'log groups with a retention',
    check: checkLogRetention,
    subjects: (tf) => resourcesOf(tf, 'aws_cloudwatch_log_group').map((g) => g.address),
  },
  { id: 'lambda-limits', title: 'Lambda timeout and memory_size set', check: checkLambdaLimits, subjects: lambdaSubjects },
  { id: 'lambda-env-secrets', title: 'no secrets in Lambda environment variables', check: checkLambdaEnvSecrets, subjects: lambdaSubjects },
  { id: 'iam-wildcards', title: 'no wildcard actions; "*" resources only for resource-less actions', check: checkIamWildcards, subjects: iamSubjects },
  {
    id: 'esm-role-scope',
    title: 'Kafka ESM role limited to its cluster, topic and group',
    check: checkEsmRoleScope,
    subjects: (tf) => kafkaEsms(tf).map((e) => e.address),
  },
];

export function runRules(tf: TfJson, rules: readonly Rule[] = RULES): Violation[] {
  return rules.flatMap((r) => r.check(tf));
}
