import path from 'node:path';
import { HubError } from '../errors.js';
import { declareResources } from './cfn-resources.js';
import { attachResources, FUNCTION_TYPES } from './cfn-attachments.js';
import { dropForeignAuthorizers } from './authorizers.js';
import { emptyModel, type ProjectModel } from './model.js';
import { readProjectFile } from './read.js';
import { refuseGlobalStageName } from './http-api.js';
import { loadFunction } from './sam-function.js';
import { refuseUnknownFunctionProperties, refuseUnknownGlobalsSection } from './sam-properties.js';
import { Stack, type CfnTemplate, type StackOptions } from './stack.js';
import { isObject } from '../own.js';

/**
 * A SAM or CloudFormation template → the project model: the declared cloud resources, every
 * function with local code (AWS::Serverless::Function with Globals, AWS::Lambda::Function), then
 * the resources that attach to functions (event source mappings, invoke configs, URLs, ...).
 */
const TRANSFORMS = new Set(['AWS::Serverless-2016-10-31']);

export function loadSamTemplate(file: string, options: Omit<StackOptions, 'file'>): ProjectModel {
  const duplicates: string[] = [];
  const template = readProjectFile(file, { onDuplicateKey: (message) => duplicates.push(message) }) as CfnTemplate & { Transform?: unknown };
  const model = emptyModel('sam', file, options.stackName);
  model.warnings.push(...duplicates);
  const transforms = [template.Transform ?? []].flat().map(String).filter((t) => !TRANSFORMS.has(t));
  if (transforms.length) model.warnings.push(`Transform ${transforms.join(', ')}: not applied locally`);
  // CloudFormation requires Resources, a mapping; a list or nothing there would run an empty project without a word.
  const resources = template.Resources;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    throw new HubError('TH_ERR_CONFIG_PROJECT', `${file}: Resources: is required: a mapping of logical ids to resources (got ${resources === undefined ? 'none' : Array.isArray(resources) ? 'a list' : JSON.stringify(resources)})`);
  }
  const stack = new Stack(template, { ...options, file });
  refuseGlobalStageName(stack);
  const globals = globalsOf(stack, template.Globals);
  declareResources(stack, model);
  for (const [logicalId, resource] of stack.resources) {
    if (FUNCTION_TYPES.has(resource.Type)) loadFunction(stack, model, logicalId, globals, path.dirname(file));
  }
  attachResources(stack, model);
  dropForeignAuthorizers(model);
  return model;
}

/**
 * `Globals.Function`; SAM refuses a template whose Globals, or a section of it, is not a mapping (it
 * was ignored), that has a section SAM lacks, or a Function property SAM does not define.
 */
function globalsOf(stack: Stack, globals: unknown): unknown {
  if (globals === undefined) return undefined;
  if (!isObject(globals)) throw stack.resolver.error('Globals', 'must be a mapping of sections (Function, Api, HttpApi, SimpleTable ...)');
  for (const [section, value] of Object.entries(globals as Record<string, unknown>)) {
    refuseUnknownGlobalsSection(stack, section);
    if (!isObject(value)) throw stack.resolver.error(`Globals.${section}`, 'must be a mapping of properties');
  }
  const fn = (globals as Record<string, unknown>).Function;
  if (isObject(fn)) refuseUnknownFunctionProperties(stack, fn, 'Globals.Function');
  return fn;
}
