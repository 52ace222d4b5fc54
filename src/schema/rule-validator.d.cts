// Types of the generated retention rule validator (rule-validator.cjs).
import type { ErrorObject } from 'ajv'

interface Validate {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

declare const validate: Validate
export = validate
