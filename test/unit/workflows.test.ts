// The example workflows, this repository's own workflows and action.yml, read
// by GitHub's own workflow parser: a mistake here is one users would copy.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { convertWorkflowTemplate, isMapping, isSequence, isString, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { convertActionTemplate } from '@actions/workflow-parser/actions/action-template'
import type { TemplateContext } from '@actions/workflow-parser/templates/template-context'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

function read(file: string) {
  return { name: file, content: readFileSync(path.join(root, file), 'utf8') }
}

function workflowFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir))
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => `${dir}/${name}`)
}

function errorsOf(context: TemplateContext): string[] {
  return context.errors.getErrors().map((error) => error.message)
}

function field(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token !== undefined && isMapping(token) ? token.find(key) : undefined
}

function stringOf(token: TemplateToken | undefined): string | undefined {
  return token !== undefined && isString(token) ? token.value : undefined
}

function keysOf(token: TemplateToken | undefined): string[] {
  return token !== undefined && isMapping(token) ? [...token].map(({ key }) => key.toString()) : []
}

interface ActionStep {
  job: string
  id: string | undefined
  with: string[]
}

const thisAction = /^(\.\/|[\w.-]+\/truefoundry-artifact-cleanup@)/

/** The steps, in every job, that run this action. */
function stepsUsingThisAction(workflow: TemplateToken | undefined): ActionStep[] {
  const jobs = field(workflow, 'jobs')
  if (jobs === undefined || !isMapping(jobs)) return []
  return [...jobs].flatMap(({ key: job, value }) => {
    const steps = field(value, 'steps')
    if (steps === undefined || !isSequence(steps)) return []
    return [...steps].flatMap((step) => {
      const uses = field(step, 'uses')
      if (uses === undefined || !isString(uses) || !thisAction.test(uses.value)) return []
      return [{ job: job.toString(), id: stringOf(field(step, 'id')), with: keysOf(field(step, 'with')) }]
    })
  })
}

const exampleWorkflows = workflowFiles('examples/workflows')
const allWorkflows = [...exampleWorkflows, ...workflowFiles('.github/workflows')]
const workflows = allWorkflows.map((file) => {
  const parsed = parseWorkflow(read(file), new NoOperationTraceWriter())
  return { file, content: read(file).content, parsed, actionSteps: stepsUsingThisAction(parsed.value) }
})
const workflowsUsingThisAction = workflows.filter(({ actionSteps }) => actionSteps.length > 0)

const actionParse = parseAction(read('action.yml'), new NoOperationTraceWriter())
const action = actionParse.value && convertActionTemplate(actionParse.context, actionParse.value)
const inputs = action?.inputs ?? []
const outputs = (action?.outputs ?? []).map((output) => output.id)

describe('action.yml', () => {
  it('has no errors', () => {
    const errors = errorsOf(actionParse.context)
    expect(errors, errors.join('\n')).toEqual([])
    expect(inputs.length).toBeGreaterThan(0)
  })
})

describe.each(workflows)('$file', ({ parsed }) => {
  it('has no errors', async () => {
    // Conversion finds what the schema alone does not: a bad cron, duplicate step ids, `needs` of unknown jobs.
    if (parsed.value !== undefined) await convertWorkflowTemplate(parsed.context, parsed.value)
    const errors = errorsOf(parsed.context)
    expect(errors, errors.join('\n')).toEqual([])
  })
})

describe.each(workflowsUsingThisAction)('$file, where it runs this action,', ({ file, content, actionSteps }) => {
  it('gives only inputs action.yml declares, and every required one', () => {
    const declared = inputs.map((input) => input.id)
    const required = inputs.filter((input) => input.required).map((input) => input.id)
    for (const step of actionSteps) {
      const undeclared = step.with.filter((key) => !declared.includes(key))
      expect(undeclared, `${file}, job ${step.job}: inputs action.yml does not declare`).toEqual([])
      const missing = required.filter((key) => !step.with.includes(key))
      expect(missing, `${file}, job ${step.job}: required inputs left out`).toEqual([])
    }
  })

  it("reads only outputs action.yml declares (an unknown one is silently '')", () => {
    for (const { id } of actionSteps) {
      if (id === undefined) continue
      const names = [...content.matchAll(new RegExp(`steps\\.${id}\\.outputs\\.([\\w-]+)`, 'g'))].map((match) => match[1] ?? '')
      const unknown = names.filter((name) => !outputs.includes(name))
      expect(unknown, `${file}: outputs of step ${id} that action.yml does not declare`).toEqual([])
    }
  })
})

describe('examples/workflows', () => {
  it('is not empty', () => {
    expect(exampleWorkflows.length).toBeGreaterThan(0)
  })

  it.each(exampleWorkflows)('%s runs this action as your-org/truefoundry-artifact-cleanup@v1', (file) => {
    expect(workflowsUsingThisAction.map((workflow) => workflow.file)).toContain(file)
    expect(read(file).content).toContain('uses: your-org/truefoundry-artifact-cleanup@v1')
  })
})
