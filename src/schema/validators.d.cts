// Types of the generated validators (validators.cjs): one per manifest kind, named by the kind.
import type { ErrorObject } from 'ajv'

interface Validate {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

declare const validators: Record<string, Validate | undefined>
export = validators
